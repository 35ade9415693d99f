extension JSONObject {
    /// This state with acknowledged `params` applied: outlet lists (`switches`, `configure`,
    /// `pulses`) are merged by `outlet`, everything else replaced.
    package func applying(_ params: JSONObject) -> JSONObject {
        var out = self
        for (key, value) in params {
            guard let updates = value.arrayValue, var current = out[key]?.arrayValue,
                  updates.allSatisfy({ $0["outlet"]?.intValue != nil }) else {
                out[key] = value
                continue
            }
            for u in updates {
                let outlet = u["outlet"]!.intValue!
                if let i = current.firstIndex(where: { $0["outlet"]?.intValue == outlet }),
                   var merged = current[i].objectValue, let changes = u.objectValue {
                    merged.merge(changes)
                    current[i] = .object(merged)
                } else {
                    current.append(u)
                }
            }
            out[key] = .array(current)
        }
        return out
    }
}

