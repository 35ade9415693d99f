/// What a device says about itself in its `info` reply.
public struct LearntDevice: Sendable, Equatable {
    /// false: DIY firmware (plain JSON).
    public var encrypted: Bool
    public var type: DeviceType?
    public var channels: Int?
    public var fwVersion: String?
    public var state: JSONObject?

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
    public func learn(_ target: LANTarget, timeout: Duration) async throws(LANError) -> LearntDevice {
        let reply: LANReply
        do {
            reply = try await check("info", [:], to: target, timeout: timeout)
        } catch .lanError(let code, let id) where code == LANErrorCode.badRequest.rawValue && target.devicekey != nil {
            throw .keyRejected(deviceID: id)
        } catch .lanError(let code, let id) where code == LANErrorCode.notEncrypted.rawValue {
            throw .deviceKeyMissing(deviceID: id)
        }
        return Self.learnt(from: reply.state, encrypted: target.devicekey != nil)
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
