/// What a device says about itself in its `info` reply.
public struct LearntDevice: Sendable, Equatable {
    /// false: DIY firmware (plain JSON).
    public var encrypted: Bool
    /// The type guessed from the shape of its state.
    public var type: DeviceType?
    /// Outlets in its state.
    public var channels: Int?
    /// The firmware version it reported (`fwVersion`).
    public var fwVersion: String?
    /// Its state, decrypted, without the network facts `info` adds.
    public var state: JSONObject?
    /// The device's state revision in the reply.
    public var seq: Int?

    /// What a device said; every part but `encrypted` may be missing.
    package init(encrypted: Bool, type: DeviceType? = nil, channels: Int? = nil, fwVersion: String? = nil,
                 state: JSONObject? = nil, seq: Int? = nil) {
        self.encrypted = encrypted
        self.type = type
        self.channels = channels
        self.fwVersion = fwVersion
        self.state = state
        self.seq = seq
    }

    /// "4-channel strip, firmware 3.6.0".
    public var summary: String {
        var parts: [String] = []
        let kind = type?.rawValue ?? "device of unknown type"
        parts.append(channels.map { $0 > 1 ? "\($0)-channel \(kind)" : kind } ?? kind)
        if let fwVersion { parts.append("firmware \(fwVersion)") }
        return parts.joined(separator: ", ")
    }
}

extension ZeroconfClient {
    /// Asks the device at `target` for its `info` once (quietly: not an update for observers)
    /// and learns its shape from the state: type, channels, firmware, encrypted or DIY. A
    /// refused key is `.keyRejected`, an encrypted device asked without a key `.deviceKeyMissing`.
    ///
    /// With a key this is also the proof that the host is the device: its reply must carry state
    /// encrypted with the key that names `target.deviceID` (see `identityProblem`); any other
    /// answer is `.addressUnproven`.
    public func learn(_ target: LANTarget, timeout: Duration) async throws(LANError) -> LearntDevice {
        let answer: Result<LANReply, LANError>
        do { answer = .success(try await check("info", [:], to: target, timeout: timeout)) } catch { answer = .failure(error) }
        return try Self.learnt(from: answer, target: target)
    }

    /// What an `info` answer (or its failure) teaches, and whether it proves the address (see
    /// `learn`); shared by the event-loop and the blocking path.
    static func learnt(from answer: Result<LANReply, LANError>, target: LANTarget) throws(LANError) -> LearntDevice {
        let reply: LANReply
        do {
            reply = try answer.get()
        } catch .lanError(let code, let id) where code == LANErrorCode.badRequest.rawValue && target.devicekey != nil {
            throw .keyRejected(deviceID: id)
        } catch .lanError(let code, let id) where code == LANErrorCode.notEncrypted.rawValue {
            throw .deviceKeyMissing(deviceID: id)
        } catch .lanError(let code, _) where target.devicekey != nil {
            throw Self.unproven(target, "it answered info with error \(LANErrorCode.describe(code))")
        } catch .invalidReply(_, _, let why) where target.devicekey != nil {
            throw Self.unproven(target, why)
        } catch .decryptionFailed(_, let why) where target.devicekey != nil {
            throw Self.unproven(target, "its reply does not decrypt with the key: \(why)")
        }
        if target.devicekey != nil, let problem = Self.identityProblem(reply.state, deviceID: target.deviceID) {
            throw Self.unproven(target, problem)
        }
        var learnt = Self.learnt(from: reply.state, encrypted: target.devicekey != nil)
        learnt.seq = reply.response.seq
        return learnt
    }

    /// Why the decrypted state of an `info` reply does not prove that it comes from `deviceID`,
    /// or nil when it does. The client has checked that it decrypts with the key; it must also
    /// name the device, since the data of the device's announcements (which anyone on the LAN
    /// receives, and may send back as a reply) decrypts with the same key but names none.
    public static func identityProblem(_ state: JSONObject?, deviceID: String) -> String? {
        guard let state else { return "its reply to info carried no encrypted state" }
        guard let named = state["deviceid"]?.stringValue else {
            return "its encrypted info names no device, as a replayed announcement would"
        }
        guard named == deviceID else { return "its encrypted info names device \(named.prefix(40))" }
        return nil
    }

    private static func unproven(_ target: LANTarget, _ reason: String) -> LANError {
        .addressUnproven(deviceID: target.deviceID, host: target.host, port: target.port, reason: reason)
    }

    static func learnt(from state: JSONObject?, encrypted: Bool) -> LearntDevice {
        var learnt = LearntDevice(encrypted: encrypted)
        guard let state else { return learnt }
        learnt.state = JSONObject(state.entries.filter { !LANProtocol.infoOnlyFields.contains($0.key) }.map { ($0.key, $0.value) })
        learnt.fwVersion = state["fwVersion"]?.stringValue
        if let guess = DeviceCatalogue.guess(fromState: state, encrypted: encrypted) {
            learnt.type = guess.kind.type
            learnt.channels = guess.channels
        }
        return learnt
    }
}
