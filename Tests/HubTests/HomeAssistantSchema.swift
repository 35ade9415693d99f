import EWeLinkLAN

/// What Home Assistant's MQTT integration accepts in a discovery config, per component, written
/// from its documentation: "MQTT" (integrations/mqtt, section "MQTT Discovery": the topic
/// `<discovery_prefix>/<component>/[<node_id>/]<object_id>/config`, node and object ids of
/// `[a-zA-Z0-9_-]`, the `device` and `origin` maps, availability), "MQTT Switch"
/// (integrations/switch.mqtt), "MQTT Light" (integrations/light.mqtt, JSON schema), "MQTT Fan"
/// (integrations/fan.mqtt) and "MQTT Sensor" (integrations/sensor.mqtt, with the units each
/// sensor device class allows from integrations/sensor, "Device class").
///
/// `problems` lists every way a config breaks it: a required option missing, an option the
/// component does not have, a value of the wrong type or outside its set.
enum HomeAssistantSchema {
    /// Options every MQTT entity may have.
    static let common: Set<String> = [
        "availability", "availability_mode", "availability_template", "availability_topic", "device", "enabled_by_default",
        "encoding", "entity_category", "entity_picture", "icon", "json_attributes_template", "json_attributes_topic", "name",
        "object_id", "default_entity_id", "origin", "payload_available", "payload_not_available", "qos", "unique_id", "platform",
    ]

    /// Each component's own options and the ones it requires.
    static let components: [String: (options: Set<String>, required: Set<String>)] = [
        "switch": (["command_template", "command_topic", "device_class", "optimistic", "payload_off", "payload_on", "retain",
                    "state_off", "state_on", "state_topic", "value_template"], ["command_topic"]),
        "light": (["schema", "brightness", "brightness_scale", "command_topic", "effect", "effect_list", "flash_time_long",
                   "flash_time_short", "max_kelvin", "min_kelvin", "max_mireds", "min_mireds", "color_temp_kelvin",
                   "optimistic", "retain", "state_topic", "supported_color_modes", "transition", "white_scale"],
                  ["command_topic", "schema"]),
        "fan": (["command_template", "command_topic", "optimistic", "payload_off", "payload_on", "retain", "state_topic",
                 "state_value_template", "percentage_command_topic", "percentage_command_template", "percentage_state_topic",
                 "percentage_value_template", "preset_mode_command_topic", "preset_mode_state_topic", "preset_modes",
                 "speed_range_max", "speed_range_min"], ["command_topic"]),
        "sensor": (["device_class", "expire_after", "force_update", "last_reset_value_template", "options",
                    "suggested_display_precision", "state_class", "state_topic", "unit_of_measurement", "value_template"],
                   ["state_topic"]),
    ]

    /// Units Home Assistant allows for the sensor device classes the bridge uses.
    static let sensorUnits: [String: Set<String>] = [
        "power": ["W", "kW", "mW", "MW"], "voltage": ["V", "mV", "kV"], "current": ["A", "mA"],
        "energy": ["Wh", "kWh", "MWh"], "temperature": ["°C", "°F", "K"], "humidity": ["%"],
        "signal_strength": ["dB", "dBm"],
    ]
    static let stateClasses: Set<String> = ["measurement", "total", "total_increasing"]
    static let colorModes: Set<String> = ["onoff", "brightness", "color_temp", "hs", "xy", "rgb", "rgbw", "rgbww", "white"]

    static func isTopicID(_ s: Substring) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }
    }

    static func isPublishTopic(_ value: JSONValue?) -> Bool {
        guard let t = value?.stringValue, !t.isEmpty else { return false }
        return !t.contains("+") && !t.contains("#")
    }

    /// Every problem of `config`, published on `topic` under `prefix`.
    static func problems(topic: String, config: JSONObject, prefix: String = "homeassistant") -> [String] {
        var p: [String] = []
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard topic.hasPrefix(prefix + "/"), parts.last == "config", (4...5).contains(parts.count) else {
            return ["\(topic): not <prefix>/<component>/[<node_id>/]<object_id>/config"]
        }
        let component = String(parts[1])
        for id in parts[2..<(parts.count - 1)] where !isTopicID(id) { p.append("\(topic): '\(id)' is not [a-zA-Z0-9_-]+") }
        guard let schema = components[component] else { return p + ["\(topic): component \(component) is not checked here"] }
        for key in config.map(\.key) where !common.contains(key) && !schema.options.contains(key) {
            p.append("\(topic): \(component) has no option \(key)")
        }
        for key in schema.required where config[key] == nil { p.append("\(topic): \(key) is required") }
        for key in ["command_topic", "state_topic"] where config[key] != nil && !isPublishTopic(config[key]) {
            p.append("\(topic): \(key) must be a topic without wildcards")
        }
        // The device registry needs unique_id; a device needs identifiers or connections.
        if config["unique_id"]?.stringValue?.isEmpty != false { p.append("\(topic): unique_id missing") }
        if let device = config["device"]?.objectValue {
            let ids = device["identifiers"]
            if ids?.arrayValue?.isEmpty != false && ids?.stringValue == nil && device["connections"] == nil {
                p.append("\(topic): device needs identifiers or connections")
            }
            let deviceKeys: Set<String> = ["configuration_url", "connections", "hw_version", "identifiers", "manufacturer", "model",
                                           "model_id", "name", "serial_number", "suggested_area", "sw_version", "via_device"]
            for key in device.map(\.key) where !deviceKeys.contains(key) { p.append("\(topic): device has no option \(key)") }
        } else {
            p.append("\(topic): device missing")
        }
        if let origin = config["origin"] {
            if origin["name"]?.stringValue?.isEmpty != false { p.append("\(topic): origin needs a name") }
        }
        if let list = config["availability"] {
            for entry in list.arrayValue ?? [] where !isPublishTopic(entry["topic"]) { p.append("\(topic): availability entry without topic") }
            if list.arrayValue == nil { p.append("\(topic): availability must be a list") }
        }
        if let mode = config["availability_mode"], !["all", "any", "latest"].contains(mode.stringValue ?? "") {
            p.append("\(topic): availability_mode must be all, any or latest")
        }
        if let qos = config["qos"], ![0, 1, 2].contains(qos.intValue ?? -1) { p.append("\(topic): qos must be 0, 1 or 2") }
        if let category = config["entity_category"], !["config", "diagnostic"].contains(category.stringValue ?? "") {
            p.append("\(topic): entity_category must be config or diagnostic")
        }
        switch component {
        case "light":
            if config["schema"]?.stringValue != "json" { p.append("\(topic): only the json schema is used") }
            if let modes = config["supported_color_modes"]?.arrayValue?.compactMap(\.stringValue) {
                if modes.isEmpty || !Set(modes).isSubset(of: colorModes) { p.append("\(topic): supported_color_modes \(modes)") }
                if modes.count > 1 && (modes.contains("onoff") || modes.contains("brightness")) {
                    p.append("\(topic): onoff and brightness must be the only color mode")
                }
            }
            if let scale = config["brightness_scale"], (scale.intValue ?? 0) < 1 { p.append("\(topic): brightness_scale must be ≥ 1") }
        case "sensor":
            if let dc = config["device_class"]?.stringValue {
                guard let units = sensorUnits[dc] else { p.append("\(topic): device_class \(dc) is not checked here"); break }
                if !units.contains(config["unit_of_measurement"]?.stringValue ?? "") {
                    p.append("\(topic): \(dc) needs a unit of \(units.sorted())")
                }
                if dc == "energy", config["state_class"]?.stringValue == "measurement" {
                    p.append("\(topic): energy cannot have state_class measurement")
                }
            }
            if let sc = config["state_class"]?.stringValue, !stateClasses.contains(sc) { p.append("\(topic): state_class \(sc)") }
        default:
            break
        }
        return p
    }
}
