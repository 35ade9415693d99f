import EWeLinkLAN
import NIOHTTP1

/// The simulator's control API (JSON over HTTP on loopback): look at devices, inject faults,
/// press buttons.
///
/// - `GET /devices`, `GET /devices/{id}`
/// - `POST /devices/{id}/fault` `{"lan":"ok|refuse|blackhole|reset|garbage","delayMs":N,"online":bool,"reboot":true,"announce":bool}`
/// - `POST /devices/{id}/press` `{"outlet":N}` (body optional)
struct ControlAPI: Sendable {
    let devices: [String: SimulatedDevice]
    let order: [String]

    init(devices: [SimulatedDevice]) {
        self.devices = Dictionary(uniqueKeysWithValues: devices.map { ($0.id, $0) })
        order = devices.map(\.id)
    }

    func handle(_ request: SimpleHTTPRequest) async -> HTTPAction {
        let parts = request.path.split(separator: "/").map(String.init)
        switch (request.method, parts.count) {
        case (.GET, 1) where parts[0] == "devices":
            return json(.ok, .array(order.compactMap { devices[$0] }.map { .object(Self.describe($0)) }))
        case (.GET, 2) where parts[0] == "devices":
            guard let d = devices[parts[1]] else { return notFound(parts[1]) }
            return json(.ok, .object(Self.describe(d)))
        case (.POST, 3) where parts[0] == "devices" && parts[2] == "fault":
            guard let d = devices[parts[1]] else { return notFound(parts[1]) }
            return await fault(d, request.body)
        case (.POST, 3) where parts[0] == "devices" && parts[2] == "press":
            guard let d = devices[parts[1]] else { return notFound(parts[1]) }
            var outlet = 0
            if !request.body.isEmpty {
                guard let o = try? JSONValue.parse(request.body).objectValue else { return bad("body must be a JSON object") }
                if let v = o["outlet"] {
                    guard let n = v.intValue, (0..<d.config.channels).contains(n) else {
                        return bad("outlet must be 0...\(d.config.channels - 1)")
                    }
                    outlet = n
                }
            }
            guard !d.snapshot.rebooting else { return json(.conflict, ["error": "device is rebooting"]) }
            d.press(outlet: outlet)
            return json(.ok, .object(Self.describe(d)))
        default:
            return json(.notFound, ["error": .string("no route \(request.method) \(request.path)")])
        }
    }

    private func fault(_ device: SimulatedDevice, _ body: [UInt8]) async -> HTTPAction {
        guard let o = try? JSONValue.parse(body).objectValue else { return bad("body must be a JSON object") }
        let known: Set<String> = ["lan", "delayMs", "online", "reboot", "announce"]
        if let unknown = o.keys.first(where: { !known.contains($0) }) {
            return bad("unknown fault '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        var lan: LANFault? = nil
        if let v = o["lan"] {
            guard let s = v.stringValue, let f = LANFault(rawValue: s) else {
                return bad("lan must be one of \(LANFault.allCases.map(\.rawValue).joined(separator: "|"))")
            }
            lan = f
        }
        var delay: Int? = nil
        if let v = o["delayMs"] {
            guard let n = v.intValue, (0...600_000).contains(n) else { return bad("delayMs must be 0...600000") }
            delay = n
        }
        if let v = o["online"], v.boolValue == nil { return bad("online must be a boolean") }
        if let v = o["announce"], v.boolValue == nil { return bad("announce must be a boolean") }
        if let v = o["reboot"], v.boolValue == nil { return bad("reboot must be a boolean") }
        if lan != nil || delay != nil || o["announce"] != nil {
            await device.setFaults { f in
                if let lan { f.lan = lan }
                if let delay { f.delayMs = delay }
                if let a = o["announce"]?.boolValue { f.announce = a }
            }
        }
        if let online = o["online"]?.boolValue { device.setOnline(online) }
        if o["reboot"]?.boolValue == true, !device.snapshot.rebooting {
            Task { await device.reboot() }
            // Let the reboot begin so the reply reflects it.
            while !device.snapshot.rebooting { await Task.yield() }
        }
        return json(.ok, .object(Self.describe(device)))
    }

    static func describe(_ d: SimulatedDevice) -> JSONObject {
        let s = d.snapshot
        return [
            "id": .string(d.id), "name": .string(d.config.name), "type": .string(d.config.type.rawValue),
            "uiid": .int(d.config.uiid), "model": .string(d.config.model), "encrypted": .bool(!d.isDIY),
            "host": .string(d.config.host), "port": .int(s.port), "seq": .int(s.seq), "fwVersion": .string(s.fwVersion),
            "online": .bool(s.online), "otaUnlocked": .bool(s.otaUnlocked), "rebooting": .bool(s.rebooting),
            "channels": .int(d.config.channels),
            "faults": ["lan": .string(s.faults.lan.rawValue), "delayMs": .int(s.faults.delayMs),
                       "announce": .bool(s.faults.announce)],
            "params": .object(s.params),
        ]
    }

    private func json(_ status: HTTPResponseStatus, _ value: JSONValue) -> HTTPAction {
        .respond(status: status, contentType: "application/json", body: value.serializedBytes)
    }
    private func bad(_ message: String) -> HTTPAction { json(.badRequest, ["error": .string(message)]) }
    private func notFound(_ id: String) -> HTTPAction { json(.notFound, ["error": .string("no device '\(id)'")]) }
}
