import EWeLink
import EWeLinkLAN

/// Every topic the bridge uses, from its prefixes: one place, so the README's table, the
/// discovery configs and the subscriptions agree.
struct MQTTTopics: Sendable {
    let prefix: String
    let discoveryPrefix: String

    /// `online`/`offline`, retained; `offline` is the bridge's last will.
    var bridgeState: String { prefix + "/bridge/state" }
    /// Answers to every `/set` command, success or error (not retained).
    var response: String { prefix + "/bridge/response" }
    /// Every device's command topic.
    var setFilter: String { prefix + "/+/set" }
    /// Home Assistant's birth and last-will topic.
    var homeAssistantStatus: String { discoveryPrefix + "/status" }

    /// The device's state, retained.
    func state(_ segment: String) -> String { prefix + "/" + segment }
    /// `online`/`offline`, retained.
    func availability(_ segment: String) -> String { prefix + "/" + segment + "/availability" }
    /// Commands for the device.
    func set(_ segment: String) -> String { prefix + "/" + segment + "/set" }
    /// One entity's discovery config.
    func config(component: String, deviceID: String, object: String) -> String {
        "\(discoveryPrefix)/\(component)/\(deviceID)/\(object)/config"
    }

    /// The device of a `/set` topic's segment, or nil when the topic is not one.
    func segment(ofSet topic: String) -> String? {
        guard topic.hasPrefix(prefix + "/"), topic.hasSuffix("/set") else { return nil }
        let middle = topic.dropFirst(prefix.count + 1).dropLast("/set".count)
        return middle.isEmpty || middle.contains("/") ? nil : String(middle)
    }

    /// The topic part of each stored device (id → segment): its id, or with `.name` its name
    /// made topic-safe (letters, digits, `-`, `_`, `.`; anything else `_`). A device without a
    /// name, a name that would collide with another device's or the bridge's own topics, falls
    /// back to the id, which is unique.
    static func segments(_ devices: [StoredDevice], naming: MQTTOptions.TopicNaming) -> [String: String] {
        var result: [String: String] = [:]
        guard naming == .name else {
            for d in devices { result[d.id] = d.id }
            return result
        }
        let ids = Set(devices.map(\.id))
        var wanted: [String: [String]] = [:]
        for d in devices {
            guard let name = d.name, !name.isEmpty else { continue }
            wanted[topicSafe(name), default: []].append(d.id)
        }
        for d in devices {
            let candidate = d.name.map(topicSafe)
            if let candidate, wanted[candidate]?.count == 1, candidate != "bridge", !ids.contains(candidate) || candidate == d.id {
                result[d.id] = candidate
            } else {
                result[d.id] = d.id
            }
        }
        return result
    }

    /// `name` with every character MQTT or a shell would trip on replaced by `_`, at most 64 characters.
    static func topicSafe(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.prefix(64).map { s in
            s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "-" || s == "_" || s == "." ? s : "_"
        }))
    }
}
