import EWeLinkCore

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

/// A reply to one of our commands, matched by `sequence`; the document's `query` reply has
/// none, and is matched to the oldest command waiting for that device.
public struct CloudReply: Sendable, Equatable {
    /// The device that answered.
    public var deviceID: String
    /// The cloud's error code (0: done; see `CloudErrorCode` and its WebSocket meanings).
    public var error: Int
    /// The parameters the reply carries (a query's state), if any.
    public var params: JSONObject?
    /// The `sequence` of our command it answers; nil for replies that carry none.
    public var sequence: String?
}

/// The heartbeat the server asks for in its `userOnline` answer (`config`).
public struct CloudHeartbeat: Sendable, Equatable {
    /// `config.hb`: 0 means no heartbeats.
    public var enabled: Bool
    /// `config.hbInterval` in seconds; 90 when absent, as the document says.
    public var interval: Int

    /// The document's default: heartbeats on, every 90 s.
    public static let documentedDefault = CloudHeartbeat(enabled: true, interval: 90)

    /// A heartbeat as `config.hb` and `config.hbInterval` say.
    public init(enabled: Bool, interval: Int) {
        self.enabled = enabled
        self.interval = interval
    }

    /// How often to ping: well inside the server's limit (the document has clients ping every
    /// `hbInterval + 7` s and cut sessions after that; 0.8 × `hbInterval` leaves room for a slow
    /// network).
    public var pingEvery: Duration { .milliseconds(max(1000, interval * 800)) }
}
