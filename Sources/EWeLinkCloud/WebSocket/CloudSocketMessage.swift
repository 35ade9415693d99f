import EWeLinkCore

/// One text frame from the cloud WebSocket, read strictly: what it is, or a typed reason why it
/// is not usable (it is then skipped, never trusted halfway).
package enum CloudSocketMessage: Sendable, Equatable {
    /// The heartbeat answer.
    case pong
    /// A device reported params (`action: update`).
    case update(deviceID: String, params: JSONObject)
    /// A device went online or offline (`action: sysmsg`).
    case presence(deviceID: String, online: Bool)
    /// An answer to one of our messages (no `action`), matched by `sequence` (or, without one,
    /// by device); the `userOnline` handshake's carries the heartbeat `config`.
    case reply(CloudReply, heartbeat: CloudHeartbeat?)
    /// An action this client does not use (`reportSubDevice`, `notify`…).
    case other(action: String)

    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case notJSON(String)
        case notAnObject
        case missing(field: String, action: String)
        case wrongType(field: String, action: String)
        /// Longer than `CloudSocketMessage.maxBytes`: refused unread.
        case tooLarge(limit: Int)

        package var description: String {
            switch self {
            case .notJSON(let why): return "not JSON: \(why)"
            case .notAnObject: return "not a JSON object"
            case .missing(let f, let a): return "\(a) without \(f)"
            case .wrongType(let f, let a): return "\(a) with a \(f) of the wrong type"
            case .tooLarge(let limit): return "message too large: over \(limit / 1024) KB"
            }
        }
    }

    /// The largest message (and WebSocket frame) accepted; larger ones are refused before parsing,
    /// and the socket's frame decoder closes the connection on a larger frame. The largest real
    /// message is a reply to a query with all of one device's params: a few KB, up to ~20 KB with
    /// timers and schedules. 128 KB leaves room for that while a hostile or broken server can no
    /// longer make us buffer a megabyte per message.
    package static let maxBytes = 128 * 1024

    package static func parse(_ text: String) throws(Failure) -> CloudSocketMessage {
        if text == "pong" { return .pong }
        guard text.utf8.count <= maxBytes else { throw .tooLarge(limit: maxBytes) }
        let root: JSONValue
        do { root = try JSONValue.parse(text) } catch { throw .notJSON(error.description) }
        guard let o = root.objectValue else { throw .notAnObject }
        switch o["action"] {
        case nil, .null?:
            // The document's `query` reply has no `sequence`: a reply needs one or a device id.
            let sequence = o["sequence"]?.stringValue
            let deviceID = o["deviceid"]?.stringValue
            guard sequence != nil || deviceID?.isEmpty == false else { throw .missing(field: "sequence", action: "reply") }
            var error = 0
            if let e = o["error"] {
                guard let code = e.intValue else { throw .wrongType(field: "error", action: "reply") }
                error = code
            }
            var params: JSONObject? = nil
            if let p = o["params"], p != .null {
                guard let object = p.objectValue else { throw .wrongType(field: "params", action: "reply") }
                params = object
            }
            var heartbeat: CloudHeartbeat? = nil
            if let config = o["config"]?.objectValue {
                heartbeat = CloudHeartbeat(enabled: (config["hb"]?.intValue ?? 1) != 0,
                                           interval: config["hbInterval"]?.intValue.flatMap { $0 > 0 ? $0 : nil } ?? 90)
            }
            return .reply(CloudReply(deviceID: deviceID ?? "", error: error, params: params, sequence: sequence),
                          heartbeat: heartbeat)
        case .string(let action)?:
            switch action {
            case "update":
                let id = try deviceID(o, action)
                guard let p = o["params"] else { throw .missing(field: "params", action: action) }
                guard let params = p.objectValue else { throw .wrongType(field: "params", action: action) }
                return .update(deviceID: id, params: params)
            case "sysmsg":
                let id = try deviceID(o, action)
                guard let online = o["params"]?["online"] else { throw .missing(field: "params.online", action: action) }
                guard let value = online.boolValue else { throw .wrongType(field: "params.online", action: action) }
                return .presence(deviceID: id, online: value)
            default:
                return .other(action: action)
            }
        default:
            throw .wrongType(field: "action", action: "message")
        }
    }

    private static func deviceID(_ o: JSONObject, _ action: String) throws(Failure) -> String {
        guard let v = o["deviceid"] else { throw .missing(field: "deviceid", action: action) }
        guard let id = v.stringValue, !id.isEmpty else { throw .wrongType(field: "deviceid", action: action) }
        return id
    }
}
