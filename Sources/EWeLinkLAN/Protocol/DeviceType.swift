/// A device's local `type` as announced in TXT, with what the protocol notes know of it.
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

    /// Every type the protocol notes describe, with the UIID a LAN-only device of that type maps to.
    public static let known: [DeviceType: Int] = [
        .diyPlug: 1, .plug: 1, .strip: 4, .enhancedPlug: 5, .thPlug: 15, .rf: 28, .fanLight: 34,
        .light: 44, .diylight: 104, .diyLight: 136, .switchRadar: 77, .multifunSwitch: 126, .meter: 128,
        .zigbeeGateway: 168, .zbbridgeu: 243,
    ]

    /// Whether the protocol notes describe this type.
    public var isKnown: Bool { Self.known[self] != nil }

    /// The UIID a device of this type maps to when the cloud list does not say.
    public var defaultUIID: Int? { Self.known[self] }

    /// Types whose state carries a `switches` array (one entry per outlet).
    public var isMultiChannel: Bool { self == .strip || self == .switchRadar || self == .multifunSwitch }

    /// The highest `apivers` this implementation understands.
    public static let supportedAPIVersion = 1
}
