import EWeLinkLAN

/// What a simulated device of one `type` looks like: its default state, its channels and the
/// zeroconf endpoints its firmware accepts, all taken from `DeviceCatalogue`.
public struct DeviceProfile: Sendable {
    public let kind: DeviceKind
    public var type: DeviceType { kind.type }
    /// The UIID the cloud lists for it (a POW R2 announcing `enhanced_plug` is 32).
    public var defaultUIID: Int { kind.cloudUIIDs.first ?? kind.uiid }
    public var defaultModel: String { kind.model }
    public var defaultChannels: Int { kind.channels }
    /// Endpoints answered with error 0 (others get 422, like firmware).
    public var endpoints: Set<String> { kind.endpoints }
    /// Readings that drift over time and are re-announced (power, temperature); a setting such as
    /// brightness does not drift.
    public var hasReadings: Bool { kind.readings.contains { $0.reading == .power || $0.reading == .temperature } }

    /// Every type the simulator can play: the catalogue entries marked `simulated`.
    public static let all: [DeviceType: DeviceProfile] = Dictionary(
        uniqueKeysWithValues: DeviceCatalogue.entries.filter(\.simulated).map { ($0.type, DeviceProfile(kind: $0)) })

    /// The state a fresh device of this type announces.
    public func defaultParams(channels: Int) -> JSONObject {
        let outlets = (0..<channels)
        switch kind.power {
        case .outlets:
            return [
                "switches": .array(outlets.map { ["switch": "off", "outlet": .int($0)] }),
                "configure": .array(outlets.map { ["startup": "off", "outlet": .int($0)] }),
                "pulses": .array(outlets.map { ["pulse": "off", "width": 1000, "outlet": .int($0)] }),
                "sledOnline": "on", "rssi": -52,
            ]
        case .single where !kind.encrypted:
            return ["switch": "off", "startup": "off", "pulse": "off", "pulseWidth": 500, "rssi": -70]
        case .single where kind.readings.contains(where: { $0.key == "power" }):
            return ["switch": "off", "startup": "stay", "pulse": "off", "pulseWidth": 500, "sledOnline": "on",
                    "power": "0.00", "voltage": "230.10", "current": "0.00", "rssi": -58]
        case .thermostat:
            return ["switch": "off", "mainSwitch": "off", "deviceType": "normal", "startup": "stay", "pulse": "off",
                    "pulseWidth": 500, "sledOnline": "on", "currentTemperature": "21.5", "currentHumidity": "48",
                    "sensorType": "AM2301", "rssi": -61]
        case .fanLight:
            return ["light": "off", "fan": "off", "speed": 1]
        case .dimmable:
            return ["switch": "off", "brightness": 50, "mode": 0, "sledOnline": "on", "rssi": -57]
        case .single, .none:
            return ["switch": "off", "startup": "stay", "pulse": "off", "pulseWidth": 500, "sledOnline": "on",
                    "rssi": -52]
        }
    }
}
