import EWeLinkLAN

/// How commands map onto zeroconf endpoints and payloads, from the facts in `DeviceCatalogue`.
package enum CommandShape {
    /// The endpoint for `params`: the first key, with the protocol's exceptions.
    package static func endpoint(for params: JSONObject, type: DeviceType?) -> String? {
        guard let first = params.keys.first else { return nil }
        if first == "cmd" { return params["cmd"]?.stringValue }
        if first == "switch", type?.kind?.power == .dimmable { return "dimmable" }
        return DeviceCatalogue.endpointForParam[first] ?? first
    }

    /// The params of on/off for a device (`value` is "on" or "off").
    /// The wire params of on / off / toggle for what is known of `device`: a toggle becomes the
    /// opposite of its known state (`.stateUnknown` without one).
    package static func power(_ action: PowerAction, device: StoredDevice, channel: Int?) throws(ControlError) -> JSONObject {
        var value = action.rawValue
        if action == .toggle {
            // A channel the device does not have is a bad request, not an unknown state.
            _ = try power("on", channel: channel, type: device.type, state: device.lastState, channels: device.channels)
            guard let state = device.lastState, let on = isOn(state, channel: channel) else {
                throw .stateUnknown(deviceID: device.id)
            }
            value = on ? "off" : "on"
        }
        return try power(value, channel: channel, type: device.type, state: device.lastState, channels: device.channels)
    }

    package static func power(_ value: String, channel: Int?, type: DeviceType?, state: JSONObject?,
                             channels: Int?) throws(ControlError) -> JSONObject {
        let v = JSONValue.string(value)
        let outletsInState = state?["switches"]?.arrayValue?.count
        let style = type?.kind?.power
        if style == PowerStyle.none, let type {
            throw .invalidRequest("\(type) devices are not switched on or off over the LAN (use send with its own parameters)")
        }
        let multi = style == .outlets || outletsInState != nil || (channels ?? 1) > 1
        if style == .fanLight || (state?["light"] != nil && state?["fan"] != nil) {
            switch channel ?? 0 {
            case 0: return ["light": v]
            case 1: return ["fan": v]
            default: throw .invalidRequest("fan_light devices have channel 0 (light) and 1 (fan)")
            }
        }
        if multi {
            let count = outletsInState ?? channels ?? type?.kind?.channels ?? 4
            if let channel {
                guard (0..<count).contains(channel) else {
                    throw .invalidRequest("channel \(channel) does not exist: this device has channels 0...\(count - 1)")
                }
                return ["switches": [["switch": v, "outlet": .int(channel)]]]
            }
            return ["switches": .array((0..<count).map { ["switch": v, "outlet": .int($0)] })]
        }
        if let channel, channel != 0 {
            throw .invalidRequest("this is a single-channel device: its channel is 0 (or none given)")
        }
        if style == .thermostat || state?["mainSwitch"] != nil {
            return ["switch": v, "mainSwitch": v, "deviceType": "normal"]
        }
        return ["switch": v]
    }

    /// Whether the device is on, for `toggle` (a channel, or all outlets on).
    package static func isOn(_ state: JSONObject, channel: Int?) -> Bool? {
        if state["light"] != nil && state["fan"] != nil {
            guard (0...1).contains(channel ?? 0) else { return nil }
            return (channel ?? 0) == 1 ? state["fan"]?.stringValue == "on" : state["light"]?.stringValue == "on"
        }
        if let list = state["switches"]?.arrayValue {
            if let channel {
                return list.first { $0["outlet"]?.intValue == channel }?["switch"]?.stringValue.map { $0 == "on" }
            }
            return list.allSatisfy { $0["switch"]?.stringValue == "on" }
        }
        guard (channel ?? 0) == 0 else { return nil }
        return state["switch"]?.stringValue.map { $0 == "on" }
    }

    /// Why `channel` cannot be read or switched on a device in `state`, as the user is told.
    package static func noSuchChannel(_ channel: Int, in state: JSONObject) -> String {
        if let outlets = state["switches"]?.arrayValue?.compactMap({ $0["outlet"]?.intValue }).sorted(), !outlets.isEmpty {
            return "channel \(channel) does not exist: this device has channels \(outlets.map(String.init).joined(separator: ", "))"
        }
        if state["switch"] != nil { return "this is a single-channel device: its channel is 0 (or none given)" }
        return "the state of this device has no channel \(channel)"
    }
}
