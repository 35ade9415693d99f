import EWeLink
import EWeLinkLAN
import Foundation

/// What the bridge knows of one stored device, and the JSON it publishes on the device's state
/// topic.
///
/// Channels are numbered from 1 on MQTT (`state_l1` … `state_l4`, as zigbee2mqtt and Tasmota do),
/// where the CLI's `--channel` counts from 0: `state_l2` is `--channel 1`. `state` is the whole
/// device: a single switch, every outlet of a strip (ON only when all are on), the light of a
/// fan light.
struct MQTTDeviceView: Sendable {
    var state: JSONObject?
    var type: DeviceType?
    var lastSeen: Date?
    /// The route of the last change: `lan` (an announcement or a LAN reply), `cloud` (a push),
    /// or the route of a command (`lan`, `websocket`, `rest`).
    var route: String?
    /// Seen on the LAN (announced, or answered a command) and not gone since.
    var lan = false
    /// The cloud says it is online.
    var cloud = false

    var online: Bool { lan || cloud }

    /// The readings' keys in the state JSON.
    static let readingKeys: [Reading: String] = [
        .power: "power", .voltage: "voltage", .current: "current", .energy: "energy", .temperature: "temperature",
        .humidity: "humidity", .brightness: "brightness", .colorTemperature: "color_temp", .rssi: "rssi",
    ]

    /// The key of channel `index` (from 0) in the state JSON and in commands.
    static func channelKey(_ index: Int) -> String { "state_l\(index + 1)" }

    /// `{"state","state_l1"…,"power"…,"route","lastSeen","params"}`; nil while no state is known.
    var json: JSONObject? {
        guard let params = state else { return nil }
        let typed = DeviceState(parameters: params, type: type)
        var o: JSONObject = [:]
        if let on = typed.isOn { o["state"] = .string(on ? "ON" : "OFF") }
        let channels = typed.channels
        if channels.count > 1 || type?.kind?.power == .outlets || type?.kind?.power == .fanLight {
            for c in channels { o[Self.channelKey(c.index)] = .string(c.isOn ? "ON" : "OFF") }
        }
        for (reading, value) in typed.readings.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard let key = Self.readingKeys[reading] else { continue }
            o[key] = value == value.rounded() && abs(value) < 1e15 ? .int(Int(value)) : .double(value)
        }
        if let speed = params["speed"]?.intValue { o["fan_speed"] = .int(speed) }
        o["route"] = route.map(JSONValue.string) ?? .null
        o["lastSeen"] = lastSeen.map { .string($0.formatted(DeviceEvent.timeFormat)) } ?? .null
        o["params"] = .object(params)
        return o
    }

    /// Takes in one event of the device.
    mutating func apply(_ event: DeviceEvent) {
        if let whole = event.state, event.kind == .state || event.kind == .appeared {
            state = whole.parameters
            if let t = whole.type { type = t }
            lastSeen = event.time
            route = event.source == .cloud ? "cloud" : "lan"
        }
        switch (event.source, event.kind) {
        case (.mdns, .appeared), (.mdns, .state), (.http, _): lan = true
        case (.mdns, .disappeared): lan = false
        case (.cloud, .online): cloud = true
        case (.cloud, .offline): cloud = false
        case (.cloud, .state): cloud = true
        default: break
        }
    }

    /// Takes in the result of a command the bridge carried.
    mutating func apply(_ result: CommandResult) {
        if let s = result.state {
            state = s.parameters
            if let t = s.type { type = t }
        }
        lastSeen = Date()
        route = result.route.rawValue
        if result.route == .lan { lan = true } else { cloud = true }
    }
}
