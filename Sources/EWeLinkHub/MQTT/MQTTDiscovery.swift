import EWeLink
import EWeLinkLAN

/// Home Assistant's MQTT discovery configs of one device: one retained message per entity under
/// `<discovery prefix>/<component>/<device id>/<object>/config` (Home Assistant's documentation,
/// "MQTT Discovery", and each component's page: switch.mqtt, light.mqtt (JSON schema), fan.mqtt,
/// sensor.mqtt).
///
/// What a device gets comes from its catalogue row (`DeviceCatalogue`): a `switch` per channel of
/// plugs and strips, a `light` for dimmers (brightness where its readings have it), a `light` and
/// a `fan` for a fan light, a `sensor` per reading (power, voltage, current, energy, temperature,
/// humidity) and one for the Wi-Fi signal. A device of unknown kind gets what its state shows.
enum MQTTDiscovery {
    /// One entity: its component, its object id (unique within the device), its config.
    struct Entity: Sendable {
        var component: String
        var object: String
        var config: JSONObject
    }

    /// Home Assistant's sensor device class and unit for each reading (units as Home Assistant
    /// expects them: `%` for humidity, not `%RH`); brightness and colour temperature are the light's.
    static let sensors: [(reading: Reading, deviceClass: String, unit: String, stateClass: String)] = [
        (.power, "power", "W", "measurement"), (.voltage, "voltage", "V", "measurement"),
        (.current, "current", "A", "measurement"), (.energy, "energy", "kWh", "total_increasing"),
        (.temperature, "temperature", "°C", "measurement"), (.humidity, "humidity", "%", "measurement"),
    ]

    /// The entities of `device` (its kind from the store, else from `view`'s state), whose state
    /// is on `topics.state(segment)`.
    static func entities(_ device: StoredDevice, view: MQTTDeviceView?, segment: String, topics: MQTTTopics) -> [Entity] {
        let type = device.type ?? view?.type
        let kind = type?.kind
        let state = view?.state ?? device.lastState
        let id = device.id
        let common: JSONObject = [
            "device": .object(deviceBlock(device, kind: kind, state: state)),
            "origin": ["name": "ewelink-swift", "sw_version": .string(EWeLinkVersion.current)],
            "availability": [["topic": .string(topics.bridgeState)], ["topic": .string(topics.availability(segment))]],
            "availability_mode": "all",
            "state_topic": .string(topics.state(segment)),
            "qos": 1,
        ]
        func entity(_ component: String, _ object: String, name: String?, _ fields: JSONObject) -> Entity {
            var c = common
            c["name"] = name.map(JSONValue.string) ?? .null
            c["unique_id"] = .string("ewelink_\(id)_\(object)")
            for (k, v) in fields { c[k] = v }
            return Entity(component: component, object: object, config: c)
        }
        func switchFields(_ key: String) -> JSONObject {
            ["command_topic": .string(topics.set(segment)), "command_template": .string(#"{"\#(key)": "{{ value }}"}"#),
             "value_template": .string("{{ value_json.\(key) }}"), "payload_on": "ON", "payload_off": "OFF",
             "state_on": "ON", "state_off": "OFF"]
        }

        var result: [Entity] = []
        let power = kind?.power ?? guessedPower(state)
        let readings = Set(kind?.readings.map(\.reading) ?? Array(DeviceState(parameters: state ?? [:]).readings.keys))
        switch power {
        case .single, .thermostat:
            result.append(entity("switch", "switch", name: nil, switchFields("state")))
        case .outlets:
            let count = channelCount(device, kind: kind, state: state)
            if count == 1 {
                result.append(entity("switch", "switch", name: nil, switchFields(MQTTDeviceView.channelKey(0))))
            } else {
                for c in 0..<count {
                    result.append(entity("switch", "switch_l\(c + 1)", name: "Channel \(c + 1)",
                                         switchFields(MQTTDeviceView.channelKey(c))))
                }
            }
        case .dimmable:
            var fields: JSONObject = ["schema": "json", "command_topic": .string(topics.set(segment))]
            if readings.contains(.brightness) {
                fields["brightness"] = true
                fields["brightness_scale"] = 100
                fields["supported_color_modes"] = ["brightness"]
            } else {
                fields["supported_color_modes"] = ["onoff"]
            }
            result.append(entity("light", "light", name: nil, fields))
        case .fanLight:
            result.append(entity("light", "light", name: "Light",
                                 ["schema": "json", "command_topic": .string(topics.set(segment)), "supported_color_modes": ["onoff"]]))
            let key = MQTTDeviceView.channelKey(1)
            result.append(entity("fan", "fan", name: "Fan",
                                 ["command_topic": .string(topics.set(segment)), "command_template": .string(#"{"\#(key)": "{{ value }}"}"#),
                                  "state_value_template": .string("{{ value_json.\(key) }}"), "payload_on": "ON", "payload_off": "OFF"]))
        case .none:
            break
        }
        for s in sensors where readings.contains(s.reading) {
            let key = MQTTDeviceView.readingKeys[s.reading] ?? s.reading.rawValue
            result.append(entity("sensor", key, name: s.deviceClass.capitalized,
                                 ["device_class": .string(s.deviceClass), "unit_of_measurement": .string(s.unit),
                                  "state_class": .string(s.stateClass), "value_template": .string("{{ value_json.\(key) }}")]))
        }
        // The signal, where the device reports it (the cloud does for every device; a fan light's
        // LAN state has none): a diagnostic, off the main card.
        if state?["rssi"] != nil || state?["signalStrength"] != nil { result.append(entity("sensor", "rssi", name: "Signal strength",
                             ["device_class": "signal_strength", "unit_of_measurement": "dBm", "state_class": "measurement",
                              "entity_category": "diagnostic", "value_template": "{{ value_json.rssi }}"])) }
        return result
    }

    /// `device` in a config: identifiers, name, manufacturer, model, firmware.
    static func deviceBlock(_ device: StoredDevice, kind: DeviceKind?, state: JSONObject?) -> JSONObject {
        var o: JSONObject = ["identifiers": [.string("ewelink_\(device.id)")], "name": .string(device.displayName),
                             "manufacturer": "SONOFF (eWeLink)"]
        o["model"] = .string(device.model ?? kind?.model ?? device.type?.rawValue ?? "eWeLink device")
        if let fw = device.fwVersion ?? state?["fwVersion"]?.stringValue { o["sw_version"] = .string(fw) }
        return o
    }

    /// Outlets of a multi-channel device: the catalogue's, else the store's, else the state's.
    static func channelCount(_ device: StoredDevice, kind: DeviceKind?, state: JSONObject?) -> Int {
        kind?.channels ?? device.channels ?? state?["switches"]?.arrayValue?.count ?? 1
    }

    /// How a device of unknown kind is switched, from its state.
    static func guessedPower(_ state: JSONObject?) -> PowerStyle {
        guard let state else { return .none }
        if state["light"] != nil && state["fan"] != nil { return .fanLight }
        if state["switches"] != nil { return .outlets }
        if state["brightness"] != nil { return .dimmable }
        if state["switch"] != nil { return .single }
        return .none
    }
}
