/// A device's local `type` as announced in TXT (`plug`, `strip`, …). What is known about each
/// type lives in `DeviceCatalogue`; this is only the name.
public struct DeviceType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The name exactly as the device announces it.
    public let rawValue: String
    /// Any announced name; types the catalogue does not describe are kept, not refused.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The announced name, as the CLI prints it.
    public var description: String { rawValue }

    /// A single switch in DIY mode (MINIR2, BASICR3): plain JSON, OTA over the LAN.
    public static let diyPlug = DeviceType(rawValue: "diy_plug")
    /// A single switch in eWeLink mode (BASIC, MINI, S26): encrypted.
    public static let plug = DeviceType(rawValue: "plug")
    /// A multi-outlet switch (4CH Pro, TX2C/TX3C) whose state is a `switches` array.
    public static let strip = DeviceType(rawValue: "strip")
    /// A switch that measures power, voltage and current (POW R2, POWR3).
    public static let enhancedPlug = DeviceType(rawValue: "enhanced_plug")
    /// A switch with temperature and humidity sensors (TH10/16), switched through `mainSwitch`.
    public static let thPlug = DeviceType(rawValue: "th_plug")
    /// The RF Bridge 433, which transmits learnt remote codes instead of switching.
    public static let rf = DeviceType(rawValue: "rf")
    /// A ceiling fan with a light (iFan03/04): channel 0 is the light, channel 1 the fan.
    public static let fanLight = DeviceType(rawValue: "fan_light")
    /// A dimmer (D1) in eWeLink mode.
    public static let light = DeviceType(rawValue: "light")
    /// A bulb (B0x-BL) in DIY mode: plain JSON.
    public static let diyLight = DeviceType(rawValue: "diy_light")
    /// An RGBCW bulb (B05-B), announced with a lower-case `l` in its instance name.
    public static let diylight = DeviceType(rawValue: "diylight")
    /// A one-outlet switch whose state is still a `switches` array (Sonoff Micro).
    public static let switchRadar = DeviceType(rawValue: "switch_radar")
    /// A two-channel switch with power metering (DualR3).
    public static let multifunSwitch = DeviceType(rawValue: "multifun_switch")
    /// A power meter (SPM-Main) whose sub-devices are switched through it.
    public static let meter = DeviceType(rawValue: "meter")
    /// A Zigbee bridge (ZBBridge-P); its children cannot be switched over the LAN.
    public static let zigbeeGateway = DeviceType(rawValue: "zigbee_gateway")
    /// A Zigbee bridge (ZBBridge-U) whose announcement carries no state.
    public static let zbbridgeu = DeviceType(rawValue: "zbbridgeu")

    /// The catalogue entry for this type, when the protocol notes describe it.
    public var kind: DeviceKind? { DeviceCatalogue.kind(self) }

    /// Whether the protocol notes describe this type.
    public var isKnown: Bool { kind != nil }

    /// The UIID a LAN-only device of this type maps to when the cloud list does not say.
    public var defaultUIID: Int? { kind?.uiid }

    /// Types whose state carries a `switches` array (one entry per outlet).
    public var isMultiChannel: Bool { kind?.power == .outlets }

    /// The highest `apivers` this implementation understands.
    public static let supportedAPIVersion = LANProtocol.apiVersion
}
