import EWeLinkCloud
import EWeLinkLAN
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The WebSocket side of the mock cloud: `userOnline` checked like the real server (token,
/// apikey, appid, nonce, version 8), text heartbeats, `update`/`query`/`upgrade` replied by
/// `sequence`, device pushes (`update`, `sysmsg`), and an idle cut when heartbeats stop.
extension MockCloud {
    struct SocketSession {
        var account: Int
        var sink: AsyncStream<String>.Continuation
    }

    /// Serves one WebSocket connection.
    func serveSocket(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (out, sink) = AsyncStream.makeStream(of: String.self)
        let id = UUID()
        defer {
            sink.finish()
            removeSession(id)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in out { try await outbound.write(.text(text)) }
                try await outbound.close(.normalClosure, reason: nil)
            }
            let lastSeen = LockedDate()
            if let idleLimit = Self.idleLimit(fleet) {
                group.addTask {
                    // The server cuts a session whose client stopped sending heartbeats.
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(200))
                        if Date().timeIntervalSince(lastSeen.value) > idleLimit { sink.finish(); return }
                    }
                }
            }
            var account: Int? = nil
            for try await message in inbound.messages(maxSize: 1 << 20) {
                lastSeen.touch()
                guard case .text(let text) = message else { continue }
                if text == "ping" {
                    notePing()
                    sink.yield("pong")
                    continue
                }
                guard let o = try? JSONValue.parse(text).objectValue else {
                    sink.yield(JSONValue.object(["error": .int(CloudErrorCode.parameterError.rawValue), "reason": "Bad Request"]).serialized)
                    continue
                }
                if account == nil {
                    guard let index = userOnline(o, sink: sink, id: id) else { break }
                    account = index
                    continue
                }
                sink.yield(JSONValue.object(command(o, account: account!)).serialized)
            }
            sink.finish()
            group.cancelAll()
        }
    }

    /// Seconds without a frame after which a session is cut: past the `hbInterval + 7` the
    /// document tells clients to ping at, with room for a slow network; none when heartbeats are
    /// off (`hb: 0`).
    static func idleLimit(_ fleet: CloudFleet) -> Double? {
        fleet.heartbeat ? Double(fleet.hbInterval + 7) * 1.5 : nil
    }

    /// Checks the handshake; replies and registers the session, or refuses (the caller closes).
    private func userOnline(_ o: JSONObject, sink: AsyncStream<String>.Continuation, id: UUID) -> Int? {
        let sequence = o["sequence"] ?? .null
        func refuse(_ code: CloudErrorCode, _ reason: String) -> Int? {
            sink.yield(JSONValue.object(["error": .int(code.rawValue), "reason": .string(reason), "apikey": o["apikey"] ?? .null,
                                         "sequence": sequence, "actionName": "userOnline"]).serialized)
            return nil
        }
        noteUserOnline()
        guard o["action"] == "userOnline", o["version"]?.intValue == 8, o["userAgent"] == "app",
              o["appid"]?.stringValue == fleet.appID, let nonce = o["nonce"]?.stringValue, nonce.count == 8,
              o["ts"]?.intValue != nil, sequence != .null else { return refuse(.parameterError, "Bad Request") }
        guard let at = o["at"]?.stringValue, let index = account(forToken: at),
              o["apikey"]?.stringValue == accounts[index].apikey else {
            return refuse(.accessDenied, "Authentication Failed")
        }
        addSession(id, SocketSession(account: index, sink: sink))
        sink.yield(JSONValue.object(["error": 0, "apikey": .string(accounts[index].apikey),
                                     "config": ["hb": fleet.heartbeat ? 1 : 0, "hbInterval": .int(fleet.hbInterval)],
                                     "sequence": sequence]).serialized)
        return index
    }

    /// `update`, `query` and `upgrade` from an app.
    private func command(_ o: JSONObject, account index: Int) -> JSONObject {
        let sequence = o["sequence"] ?? .null
        let deviceID = o["deviceid"]?.stringValue ?? ""
        var reply: JSONObject = ["error": 0, "deviceid": .string(deviceID), "apikey": o["apikey"] ?? .null]
        // The real service echoes `sequence` on every reply, `query` included (third-party clients
        // wait for the reply with their sequence); the document's `query` example merely leaves it
        // out, which `omitQuerySequence` reproduces for clients that must tolerate it.
        if o["action"] != "query" || !omitsQuerySequence { reply["sequence"] = sequence }
        guard let device = devices[deviceID], ownerApikey(device) == o["apikey"]?.stringValue,
              owns(index, device) || accounts[index].shared.contains(deviceID)
        else {
            reply["error"] = .int(CloudErrorCode.apiNotFound.rawValue)
            return reply
        }
        // A device shared with this account is addressed with the owner's apikey and the
        // receiver's own as `selfApikey` ("required when the receiver updates its device status").
        if !owns(index, device) && o["selfApikey"]?.stringValue != accounts[index].apikey {
            reply["error"] = .int(CloudErrorCode.apiNotFound.rawValue)
            return reply
        }
        guard device.snapshot.online, !device.snapshot.rebooting else {
            // "The device does not respond (offline or command error)".
            reply["error"] = .int(CloudErrorCode.deviceNotResponding.rawValue)
            return reply
        }
        switch o["action"]?.stringValue {
        case "update"?:
            guard let params = o["params"]?.objectValue, !params.isEmpty else { reply["error"] = .int(CloudErrorCode.parameterError.rawValue); return reply }
            if !device.applyFromCloud(params) { reply["error"] = .int(CloudErrorCode.parameterError.rawValue) }
        case "query"?:
            var params = device.snapshot.params
            params["fwVersion"] = .string(device.snapshot.fwVersion)
            let wanted = (o["params"]?.arrayValue ?? []).compactMap(\.stringValue)
            if !wanted.isEmpty {
                params = JSONObject(params.entries.filter { wanted.contains($0.key) }.map { ($0.key, $0.value) })
            }
            reply["params"] = .object(params)
        case "upgrade"?:
            guard let version = o["params"]?["version"]?.stringValue, FirmwareVersion(version) != nil,
                  o["params"]?["binList"]?.arrayValue?.isEmpty == false else {
                reply["error"] = .int(CloudErrorCode.parameterError.rawValue)
                return reply
            }
            // The device downloads and reboots into the new version (offline, then online again);
            // an offer marked `"fails": true` boots back into the old firmware, as a failed
            // update does.
            let rollsBack = device.config.otaAvailable?["fails"]?.boolValue == true
            Task {
                try? await Task.sleep(for: .milliseconds(300))
                await device.reboot(downtime: .milliseconds(1500), newFirmware: rollsBack ? nil : version)
            }
        default:
            reply["error"] = .int(CloudErrorCode.parameterError.rawValue)
        }
        return reply
    }

    /// Pushes device changes to every session allowed to see the device.
    func push(_ device: SimulatedDevice, _ change: DeviceChange) {
        let message: JSONObject
        switch change {
        case .state(let seq, let params, _):
            message = ["action": "update", "deviceid": .string(device.id), "apikey": .string(ownerApikey(device)),
                       "userAgent": "device", "params": .object(params), "d_seq": .int(seq)]
        case .online(let online):
            message = ["action": "sysmsg", "deviceid": .string(device.id), "apikey": .string(ownerApikey(device)),
                       "ts": .int(Int(Date().timeIntervalSince1970)), "params": ["online": .bool(online)]]
        case .rebooting:
            message = ["action": "sysmsg", "deviceid": .string(device.id), "apikey": .string(ownerApikey(device)),
                       "params": ["online": false]]
        case .rebooted:
            message = ["action": "sysmsg", "deviceid": .string(device.id), "apikey": .string(ownerApikey(device)),
                       "params": ["online": true]]
        case .faults:
            return
        }
        var text = JSONValue.object(message).serialized
        if case .rebooted(let fw) = change {
            // Back online, the device reports its firmware version.
            let update: JSONValue = ["action": "update", "deviceid": .string(device.id),
                                     "apikey": .string(ownerApikey(device)), "userAgent": "device",
                                     "params": ["fwVersion": .string(fw)]]
            for session in sessions(for: device) { session.sink.yield(text) }
            text = update.serialized
        }
        for session in sessions(for: device) { session.sink.yield(text) }
    }
}

/// A date behind a lock (last frame seen on a socket).
final class LockedDate: @unchecked Sendable {
    private let lock = NSLock()
    private var date = Date()
    var value: Date { lock.lock(); defer { lock.unlock() }; return date }
    func touch() { lock.lock(); date = Date(); lock.unlock() }
}
