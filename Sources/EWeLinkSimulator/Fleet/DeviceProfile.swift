import EWeLinkLAN

/// What a simulated device of one `type` looks like: its default state, its channels and the
/// zeroconf endpoints its firmware accepts. Device knowledge as data.
public struct DeviceProfile: Sendable {
    public let type: DeviceType
    public let defaultUIID: Int
    public let defaultModel: String
    public let defaultChannels: Int
    /// Endpoints answered with error 0 (others get 422, like firmware).
    public let endpoints: Set<String>
    /// Readings that drift over time and are re-announced (power, temperature).
    public let hasReadings: Bool

    static let common: Set<String> = ["sledonline", "info", "signal_strength"]
    static let singleChannel: Set<String> = common.union(["switch", "startup", "pulse"])
    static let diyOnly: Set<String> = ["wifi", "ota_unlock", "ota_flash"]

    /// Every type the simulator can play.
    public static let all: [DeviceType: DeviceProfile] = {
        let list = [
            DeviceProfile(type: .plug, defaultUIID: 1, defaultModel: "PSF-BD1-GL", defaultChannels: 1,
                          endpoints: singleChannel, hasReadings: false),
            DeviceProfile(type: .diyPlug, defaultUIID: 1, defaultModel: "MINIR2", defaultChannels: 1,
                          endpoints: singleChannel.union(diyOnly), hasReadings: false),
            DeviceProfile(type: .strip, defaultUIID: 4, defaultModel: "PSF-B04-GL", defaultChannels: 4,
                          endpoints: common.union(["switches", "startups", "configure", "pulses"]), hasReadings: false),
            DeviceProfile(type: .switchRadar, defaultUIID: 77, defaultModel: "PSF-BFB-GL", defaultChannels: 1,
                          endpoints: common.union(["switches", "startups", "configure", "pulses"]), hasReadings: false),
            DeviceProfile(type: .multifunSwitch, defaultUIID: 126, defaultModel: "DUALR3", defaultChannels: 2,
                          endpoints: common.union(["switches", "startups", "configure", "pulses"]), hasReadings: false),
            DeviceProfile(type: .enhancedPlug, defaultUIID: 32, defaultModel: "PSF-B67-GL", defaultChannels: 1,
                          endpoints: singleChannel, hasReadings: true),
            DeviceProfile(type: .thPlug, defaultUIID: 15, defaultModel: "PSA-BHA-GL", defaultChannels: 1,
                          endpoints: singleChannel, hasReadings: true),
            DeviceProfile(type: .fanLight, defaultUIID: 34, defaultModel: "PSF-BFB-GL", defaultChannels: 1,
                          endpoints: common.union(["light", "fan"]), hasReadings: false),
            DeviceProfile(type: .light, defaultUIID: 44, defaultModel: "D1", defaultChannels: 1,
                          endpoints: common.union(["dimmable"]), hasReadings: false),
        ]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.type, $0) })
    }()

    /// The state a fresh device of this type announces.
    public func defaultParams(channels: Int) -> JSONObject {
        let outlets = (0..<channels)
        switch type {
        case .strip, .switchRadar, .multifunSwitch:
            return [
                "switches": .array(outlets.map { ["switch": "off", "outlet": .int($0)] }),
                "configure": .array(outlets.map { ["startup": "off", "outlet": .int($0)] }),
                "pulses": .array(outlets.map { ["pulse": "off", "width": 1000, "outlet": .int($0)] }),
                "sledOnline": "on", "rssi": -52,
            ]
        case .diyPlug:
            return ["switch": "off", "startup": "off", "pulse": "off", "pulseWidth": 500, "rssi": -70]
        case .enhancedPlug:
            return ["switch": "off", "startup": "stay", "pulse": "off", "pulseWidth": 500, "sledOnline": "on",
                    "power": "0.00", "voltage": "230.10", "current": "0.00", "rssi": -58]
        case .thPlug:
            return ["switch": "off", "mainSwitch": "off", "deviceType": "normal", "startup": "stay", "pulse": "off",
                    "pulseWidth": 500, "sledOnline": "on", "currentTemperature": "21.5", "currentHumidity": "48",
                    "sensorType": "AM2301", "rssi": -61]
        case .fanLight:
            return ["light": "off", "fan": "off", "speed": 1]
        case .light:
            return ["switch": "off", "brightness": 50, "mode": 0, "sledOnline": "on", "rssi": -57]
        default:
            return ["switch": "off", "startup": "stay", "pulse": "off", "pulseWidth": 500, "sledOnline": "on",
                    "rssi": -52]
        }
    }
}
