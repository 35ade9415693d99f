import EWeLinkLAN
import Foundation

/// The path a command took.
public enum Route: String, Sendable {
    case lan, websocket, rest
}

/// The outcome of one command.
public struct CommandResult: Sendable {
    public var deviceID: String
    public var route: Route
    /// The device's error code (0 on success).
    public var error: Int
    public var elapsed: Duration
    /// The state after the command: the device's own report when it sent one, else the last
    /// known state with the acknowledged change applied.
    public var state: JSONObject?
    public var seq: Int?

    public init(deviceID: String, route: Route, error: Int, elapsed: Duration, state: JSONObject?, seq: Int?) {
        self.deviceID = deviceID
        self.route = route
        self.error = error
        self.elapsed = elapsed
        self.state = state
        self.seq = seq
    }

    /// `{"device","route","error","elapsedMs","state"}` as scripts read it.
    public var json: JSONObject {
        var o: JSONObject = ["device": .string(deviceID), "route": .string(route.rawValue), "error": .int(error),
                             "elapsedMs": .double((elapsedMilliseconds * 1000).rounded() / 1000),
                             "state": state.map(JSONValue.object) ?? .null]
        if let seq { o["seq"] = .int(seq) }
        return o
    }

    public var elapsedMilliseconds: Double { elapsed.inMilliseconds }
}

/// A device's current state and where it came from.
public struct StateResult: Sendable {
    public var deviceID: String
    public var route: Route
    /// `mdns` (the announcement), `http` (a query), or `store` (last known; the device reported none).
    public var source: String
    public var state: JSONObject
    public var seq: Int?
    public var host: String?
    public var port: Int?
    public var elapsed: Duration

    public init(deviceID: String, route: Route, source: String, state: JSONObject, seq: Int?, host: String?, port: Int?,
                elapsed: Duration) {
        self.deviceID = deviceID
        self.route = route
        self.source = source
        self.state = state
        self.seq = seq
        self.host = host
        self.port = port
        self.elapsed = elapsed
    }

    public var json: JSONObject {
        var o: JSONObject = ["device": .string(deviceID), "route": .string(route.rawValue), "source": .string(source),
                             "state": .object(state)]
        if let seq { o["seq"] = .int(seq) }
        if let host, let port { o["host"] = .string(host); o["port"] = .int(port) }
        o["elapsedMs"] = .double((elapsed.inMilliseconds * 1000).rounded() / 1000)
        return o
    }
}

/// on / off / toggle.
public enum PowerAction: String, Sendable {
    case on, off, toggle
}
