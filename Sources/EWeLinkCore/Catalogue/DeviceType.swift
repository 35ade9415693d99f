/// A device's local `type` as announced in TXT (`plug`, `strip`, …). What is known about each
/// type lives in `DeviceCatalogue`; this is only the name.
public struct DeviceType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let diyPlug = DeviceType(rawValue: "diy_plug")
    public static let plug = DeviceType(rawValue: "plug")
    public static let strip = DeviceType(rawValue: "strip")
    public static let enhancedPlug = DeviceType(rawValue: "enhanced_plug")
    public static let thPlug = DeviceType(rawValue: "th_plug")
    public static let rf = DeviceType(rawValue: "rf")
    public static let fanLight = DeviceType(rawValue: "fan_light")
    public static let light = DeviceType(rawValue: "light")
    public static let diyLight = DeviceType(rawValue: "diy_light")
    public static let diylight = DeviceType(rawValue: "diylight")
    public static let switchRadar = DeviceType(rawValue: "switch_radar")
    public static let multifunSwitch = DeviceType(rawValue: "multifun_switch")
    public static let meter = DeviceType(rawValue: "meter")
    public static let zigbeeGateway = DeviceType(rawValue: "zigbee_gateway")
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
