import EWeLinkLAN

/// A one-line human summary of a device state ("on", "on off on off", "light on, fan off (speed 1)").
package enum StateSummary {
    /// The summary of `state`; `?` when there is none.
    package static func describe(_ state: JSONObject?) -> String {
        guard let state else { return "?" }
        var parts: [String] = []
        if let list = state["switches"]?.arrayValue {
            parts.append(list.sorted { ($0["outlet"]?.intValue ?? 0) < ($1["outlet"]?.intValue ?? 0) }
                .map { $0["switch"]?.stringValue ?? "?" }.joined(separator: " "))
        } else if let light = state["light"]?.stringValue, let fan = state["fan"]?.stringValue {
            parts.append("light \(light), fan \(fan)" + (state["speed"]?.intValue.map { " (speed \($0))" } ?? ""))
        } else if let sw = state["switch"]?.stringValue {
            parts.append(sw)
        }
        for field in DeviceCatalogue.summaryFields {
            guard let v = state[field.key]?.doubleValue else { continue }
            parts.append(field.unit == "%" ? "\(format(v))%" : "\(format(v)) \(field.unit)")
        }
        return parts.isEmpty ? "{…}" : parts.joined(separator: ", ")
    }

    private static func format(_ v: Double) -> String {
        v.rounded() == v ? String(Int(v)) : String((v * 10).rounded() / 10)
    }
}

extension DiscoveredDevice {
    /// `{"id","name","type","host","port","encrypted","seq","state",…}` for scripts.
    package func json(name: String?) -> JSONObject {
        var o: JSONObject = ["id": .string(id)]
        o["name"] = name.map(JSONValue.string) ?? .null
        o["type"] = .string(type.rawValue)
        o["host"] = .string(host)
        o["port"] = .int(port)
        o["encrypted"] = .bool(encrypted)
        o["seq"] = .int(seq)
        o["state"] = state.map(JSONValue.object) ?? .null
        o["apivers"] = .int(apiVersion)
        if let stateError { o["stateError"] = .string(stateError) }
        if !warnings.isEmpty { o["warnings"] = .array(warnings.map(JSONValue.string)) }
        if !rivals.isEmpty {
            o["instanceName"] = .string(instanceName)
            o["rivals"] = .array(rivals.map { .object($0.json) })
        }
        return o
    }
}

extension AnnouncementSource {
    /// `{"instanceName","host","port","seq"}`.
    package var json: JSONObject {
        ["instanceName": .string(instanceName), "host": .string(host), "port": .int(port), "seq": .int(seq)]
    }
}

extension RejectedAnnouncement {
    /// `{"id","instanceName","host","port","seq","reason"}`.
    package var json: JSONObject {
        var o: JSONObject = ["id": .string(deviceID)]
        o.merge(source.json)
        o["reason"] = .string(reason)
        return o
    }
}

extension StoredDevice {
    /// The store record for listing; the devicekey only when asked for.
    package func json(showKeys: Bool) -> JSONObject {
        var o = knownJSON
        o["devicekey"] = nil
        o["apikey"] = nil
        if showKeys {
            o["devicekey"] = devicekey.map(JSONValue.string) ?? .null
            o["apikey"] = apikey.map(JSONValue.string) ?? .null
        } else {
            o["hasKey"] = .bool(devicekey != nil)
        }
        return o
    }
}
