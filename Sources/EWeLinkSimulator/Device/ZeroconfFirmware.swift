import EWeLinkLAN

/// The reply of the simulated firmware to one zeroconf request.
struct FirmwareReply: Sendable {
    var response: ZeroconfResponse
    /// Work to run after the reply went out (a reboot after flashing).
    var afterReply: (@Sendable () async -> Void)?
}

/// What an endpoint decided.
enum EndpointOutcome {
    /// A set command was applied (seq bumps, the device re-announces).
    case applied
    /// A set command was applied and the reply carries the full state.
    case appliedWithState
    /// A query: the reply carries this data.
    case data(JSONObject)
    /// Accepted with no state change.
    case accepted
    case error(LANErrorCode)
}

extension SimulatedDevice {
    /// Handles `POST /zeroconf/<endpoint>` with `body`, as stock firmware would.
    func handleZeroconf(endpoint: String, body: [UInt8], downloader: FirmwareDownloader) async -> FirmwareReply {
        let request: ZeroconfRequest
        do {
            request = try ZeroconfRequest.parse(body)
        } catch {
            return reply(.badRequest, sequence: nil)
        }
        if let target = request.deviceID, !target.isEmpty, target != config.id {
            return reply(.wrongDevice, sequence: request.sequence)
        }
        let params: JSONObject
        if let cipher {
            switch request.payload {
            case .object?, .jsonString?: return reply(.notEncrypted, sequence: request.sequence)
            case nil where request.encryptFlag != true: return reply(.notEncrypted, sequence: request.sequence)
            default: break
            }
            do { params = try request.params(cipher: cipher) } catch {
                return reply(.badRequest, sequence: request.sequence)
            }
        } else {
            if request.isEncrypted { return reply(.badRequest, sequence: request.sequence) }
            do { params = try request.params(cipher: nil) } catch {
                return reply(.badRequest, sequence: request.sequence)
            }
        }
        guard profile.endpoints.contains(endpoint) else { return reply(.invalidParameters, sequence: request.sequence) }

        if endpoint == "ota_flash" { return await flash(params, sequence: request.sequence, downloader: downloader) }
        switch apply(endpoint: endpoint, params: params) {
        case .applied:
            return FirmwareReply(response: ZeroconfResponse(seq: snapshot.seq, sequence: request.sequence, error: 0))
        case .accepted:
            return FirmwareReply(response: ZeroconfResponse(seq: snapshot.seq, sequence: request.sequence, error: 0))
        case .appliedWithState:
            let s = snapshot
            return stateReply(s.params, seq: s.seq, sequence: request.sequence)
        case .data(let data):
            return stateReply(data, seq: snapshot.seq, sequence: request.sequence)
        case .error(let code):
            return reply(code, sequence: request.sequence)
        }
    }

    private func reply(_ code: LANErrorCode, sequence: String?) -> FirmwareReply {
        // Encrypted firmware flags its error replies with encrypt:true (no data).
        FirmwareReply(response: ZeroconfResponse(seq: snapshot.seq, sequence: sequence, error: code.rawValue,
                                                 encryptFlag: cipher == nil ? nil : true))
    }

    private func stateReply(_ data: JSONObject, seq: Int, sequence: String?) -> FirmwareReply {
        do {
            return FirmwareReply(response: try ZeroconfResponse.withState(data, seq: seq, sequence: sequence,
                                                                          cipher: cipher))
        } catch {
            return reply(.badRequest, sequence: sequence)
        }
    }

    typealias EndpointHandler = @Sendable (SimulatedDevice, JSONObject) -> EndpointOutcome

    /// The firmware's endpoints: each validates its parameters and applies them. Which of them a
    /// device answers comes from its catalogue entry (`DeviceKind.endpoints`).
    static let endpointHandlers: [String: EndpointHandler] = [
        "switch": { $0.applySwitch($1) },
        "startup": { $0.applyStartup($1) },
        "pulse": { $0.applyPulse($1) },
        "switches": { $0.applySwitches($1) },
        "startups": { $0.applyConfigure($1) },
        "configure": { $0.applyConfigure($1) },
        "pulses": { $0.applyPulses($1) },
        "sledonline": { $0.applySledOnline($1) },
        "light": { $0.applyLight($1) },
        "fan": { $0.applyFan($1) },
        "dimmable": { $0.applyDimmable($1) },
        "info": { $0.info($1) },
        "signal_strength": { $0.signalStrength($1) },
        "wifi": { $0.applyWiFi($1) },
        "ota_unlock": { $0.unlockOTA($1) },
    ]

    /// Validates and applies one endpoint's parameters.
    func apply(endpoint: String, params: JSONObject) -> EndpointOutcome {
        Self.endpointHandlers[endpoint]?(self, params) ?? .error(.invalidParameters)
    }

    private func applySwitch(_ p: JSONObject) -> EndpointOutcome {
        guard let v = onOff(p["switch"]) else { return .error(.invalidParameters) }
        if let m = p["mainSwitch"], onOff(m) == nil { return .error(.invalidParameters) }
        commit(.lan) { s in
            s["switch"] = .string(v)
            if s["mainSwitch"] != nil { s["mainSwitch"] = p["mainSwitch"] ?? .string(v) }
        }
        return .applied
    }

    private func applyStartup(_ p: JSONObject) -> EndpointOutcome {
        guard let v = p["startup"]?.stringValue, ["on", "off", "stay"].contains(v) else {
            return .error(.invalidParameters)
        }
        commit(.lan) { $0["startup"] = .string(v) }
        return .applied
    }

    private func applyPulse(_ p: JSONObject) -> EndpointOutcome {
        guard let v = onOff(p["pulse"]) else { return .error(.invalidParameters) }
        var width: Int? = nil
        if let w = p["pulseWidth"] {
            guard let ms = w.intValue, Self.validPulseWidth(ms) else { return .error(.invalidParameters) }
            width = ms
        }
        commit(.lan) { s in
            s["pulse"] = .string(v)
            if let width { s["pulseWidth"] = .int(width) }
        }
        return .applied
    }

    private func applySwitches(_ p: JSONObject) -> EndpointOutcome {
        return applyOutlets(p["switches"], listKey: "switches", valueKey: "switch") { onOff($0) != nil }
    }

    private func applyConfigure(_ p: JSONObject) -> EndpointOutcome {
        return applyOutlets(p["configure"], listKey: "configure", valueKey: "startup") {
            guard let s = $0?.stringValue else { return false }
            return ["on", "off", "stay"].contains(s)
        }
    }

    private func applyPulses(_ p: JSONObject) -> EndpointOutcome {
        guard let entries = p["pulses"]?.arrayValue, !entries.isEmpty else { return .error(.invalidParameters) }
        for e in entries {
            guard onOff(e["pulse"]) != nil, validOutlet(e["outlet"]) else { return .error(.invalidParameters) }
            if let w = e["width"], !(w.intValue.map(Self.validPulseWidth) ?? false) { return .error(.invalidParameters) }
        }
        return applyOutlets(p["pulses"], listKey: "pulses", valueKey: "pulse") { onOff($0) != nil }
    }

    private func applySledOnline(_ p: JSONObject) -> EndpointOutcome {
        guard let v = onOff(p["sledOnline"]) else { return .error(.invalidParameters) }
        commit(.lan) { $0["sledOnline"] = .string(v) }
        return .appliedWithState
    }

    private func applyLight(_ p: JSONObject) -> EndpointOutcome {
        guard let v = onOff(p["light"]) else { return .error(.invalidParameters) }
        commit(.lan) { $0["light"] = .string(v) }
        return .applied
    }

    private func applyFan(_ p: JSONObject) -> EndpointOutcome {
        let fan = p["fan"].flatMap(onOff)
        if p["fan"] != nil && fan == nil { return .error(.invalidParameters) }
        var speed: Int? = nil
        if let sp = p["speed"] {
            guard let v = sp.intValue, (1...3).contains(v) else { return .error(.invalidParameters) }
            speed = v
        }
        guard fan != nil || speed != nil else { return .error(.invalidParameters) }
        commit(.lan) { s in
            if let fan { s["fan"] = .string(fan) }
            if let speed { s["speed"] = .int(speed) }
        }
        return .applied
    }

    private func info(_ p: JSONObject) -> EndpointOutcome {
        let s = snapshot
        var info = s.params
        info["ssid"] = "eWeLink-sim"
        info["otaUnlock"] = .bool(s.otaUnlocked)
        info["fwVersion"] = .string(s.fwVersion)
        info["deviceid"] = .string(config.id)
        info["bssid"] = "02:00:00:00:00:01"
        info["signalStrength"] = s.params["rssi"] ?? -60
        return .data(info)
    }

    private func signalStrength(_ p: JSONObject) -> EndpointOutcome {
        return .data(["signalStrength": snapshot.params["rssi"] ?? -60])
    }

    private func applyWiFi(_ p: JSONObject) -> EndpointOutcome {
        guard let ssid = p["ssid"]?.stringValue, !ssid.isEmpty, ssid.utf8.count <= 32,
              p["password"].map({ $0.stringValue != nil }) ?? true else { return .error(.invalidParameters) }
        return .accepted
    }

    private func unlockOTA(_ p: JSONObject) -> EndpointOutcome {
        withState { $0.otaUnlocked = true }
        return .accepted
    }

    private func onOff(_ v: JSONValue?) -> String? {
        guard let s = v?.stringValue, s == "on" || s == "off" else { return nil }
        return s
    }

    private func validOutlet(_ v: JSONValue?) -> Bool {
        guard let o = v?.intValue else { return false }
        return (0..<config.channels).contains(o)
    }

    static func validPulseWidth(_ ms: Int) -> Bool { ms >= 500 && ms <= 36_000_000 && ms % 500 == 0 }

    /// Applies per-outlet entries `[{valueKey:…, outlet:N, …}]` to the list `listKey`, by outlet.
    private func applyOutlets(_ value: JSONValue?, listKey: String, valueKey: String,
                              valid: (JSONValue?) -> Bool) -> EndpointOutcome {
        guard let entries = value?.arrayValue, !entries.isEmpty else { return .error(.invalidParameters) }
        for e in entries {
            guard e.objectValue != nil, valid(e[valueKey]), validOutlet(e["outlet"]) else {
                return .error(.invalidParameters)
            }
        }
        commit(.lan) { s in
            var list = s[listKey]?.arrayValue ?? []
            for e in entries {
                let outlet = e["outlet"]!.intValue!
                if let i = list.firstIndex(where: { $0["outlet"]?.intValue == outlet }) {
                    var merged = list[i].objectValue ?? [:]
                    merged.merge(e.objectValue!)
                    list[i] = .object(merged)
                } else {
                    list.append(e)
                }
            }
            s[listKey] = .array(list)
        }
        return .applied
    }

    private func applyDimmable(_ p: JSONObject) -> EndpointOutcome {
        if let ltype = p["ltype"] {
            // B05-style colour bulbs.
            guard let t = ltype.stringValue, ["white", "color"].contains(t), let body = p[t]?.objectValue else {
                return .error(.invalidParameters)
            }
            for (k, v) in body {
                guard let n = v.intValue, (0...255).contains(n), ["br", "ct", "r", "g", "b"].contains(k) else {
                    return .error(.invalidParameters)
                }
            }
            commit(.lan) { s in
                s["ltype"] = ltype
                s[t] = .object(body)
            }
            return .applied
        }
        let sw = p["switch"].flatMap(onOff)
        if p["switch"] != nil && sw == nil { return .error(.invalidParameters) }
        var brightness: Int? = nil
        if let b = p["brightness"] {
            guard let v = b.intValue, (0...100).contains(v) else { return .error(.invalidParameters) }
            brightness = v
        }
        var mode: Int? = nil
        if let m = p["mode"] {
            guard let v = m.intValue, (0...2).contains(v) else { return .error(.invalidParameters) }
            mode = v
        }
        guard sw != nil || brightness != nil || mode != nil else { return .error(.invalidParameters) }
        commit(.lan) { s in
            if let sw { s["switch"] = .string(sw) }
            if let brightness { s["brightness"] = .int(brightness) }
            if let mode { s["mode"] = .int(mode) }
        }
        return .applied
    }

    /// `ota_flash`: download over plain HTTP with Range requests, verify, then reboot into it.
    private func flash(_ p: JSONObject, sequence: String?, downloader: FirmwareDownloader) async -> FirmwareReply {
        guard snapshot.otaUnlocked else { return reply(.otaNotUnlocked, sequence: sequence) }
        guard let url = p["downloadUrl"]?.stringValue, let digest = p["sha256sum"]?.stringValue?.lowercased(),
              digest.count == 64, digest.allSatisfy(\.isHexDigit) else {
            return reply(.invalidParameters, sequence: sequence)
        }
        let image: [UInt8]
        switch await downloader.download(url) {
        case .failure(let code): return reply(code, sequence: sequence)
        case .success(let bytes): image = bytes
        }
        guard Digest.hex(Digest.sha256(image)) == digest else { return reply(.firmwareDigestMismatch, sequence: sequence) }
        let current = FirmwareVersion(snapshot.fwVersion) ?? FirmwareVersion("0.0.0")!
        let newVersion = Self.embeddedVersion(image) ?? current.nextPatch.description
        var response = ZeroconfResponse(seq: snapshot.seq, sequence: sequence, error: 0)
        response.encryptFlag = nil
        return FirmwareReply(response: response) { [self] in
            await reboot(downtime: .milliseconds(1500), newFirmware: newVersion)
        }
    }

    /// A simulated image may name its version with the ASCII marker `fwVersion=X.Y.Z`.
    static func embeddedVersion(_ image: [UInt8]) -> String? {
        let marker = Array("fwVersion=".utf8)
        guard image.count >= marker.count else { return nil }
        for start in 0...(image.count - marker.count) where image[start] == marker[0] {
            guard Array(image[start..<(start + marker.count)]) == marker else { continue }
            var end = start + marker.count
            while end < image.count, image[end] == UInt8(ascii: ".") || (image[end] >= 0x30 && image[end] <= 0x39) {
                end += 1
            }
            let text = String(decoding: image[(start + marker.count)..<end], as: UTF8.self)
            return FirmwareVersion(text)?.description
        }
        return nil
    }
}
