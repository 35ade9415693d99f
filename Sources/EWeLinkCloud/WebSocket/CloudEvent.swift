import EWeLinkLAN

/// What the cloud WebSocket reports.
public enum CloudEvent: Sendable, Equatable {
    /// The session is up (after `userOnline` was accepted).
    case connected
    /// The socket closed; the session reconnects by itself unless stopped.
    case disconnected(reason: String)
    /// A device reported new params (`action: update` from the device).
    case update(deviceID: String, params: JSONObject)
    /// A device went online or offline (`action: sysmsg`).
    case online(deviceID: String, Bool)
}

/// A reply to one of our commands, matched by `sequence`.
public struct CloudReply: Sendable, Equatable {
    public var deviceID: String
    public var error: Int
    public var params: JSONObject?
    public var sequence: String
}
