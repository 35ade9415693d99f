import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The path a command took.
public enum Route: String, Sendable {
    /// Zeroconf HTTP to the device on the local network.
    case lan
    /// The cloud WebSocket session.
    case websocket
    /// The cloud's REST API (`/v2/device/thing/status`).
    case rest
}

/// The outcome of one command: which route served it, how long it took, and the device's state
/// after it. A command that failed throws instead (`ControlError`).
public struct CommandResult: Sendable {
    /// The device's id.
    public var deviceID: String
    /// The device's stored name, when it has one.
    public var name: String?
    /// The route that carried the command.
    public var route: Route
    /// From the call to the acknowledgement.
    public var elapsed: Duration
    /// The state after the command: the device's own report when it sent one, else the last
    /// known state with the acknowledged change applied.
    public var state: DeviceState?
    /// The device's LAN revision after the command, when the LAN carried it.
    public var seq: Int?

    /// A result; `state` is typed with `type` (the device's kind, when known).
    public init(deviceID: String, route: Route, elapsed: Duration, state: JSONObject?, seq: Int?,
                type: DeviceType? = nil, name: String? = nil) {
        self.deviceID = deviceID
        self.name = name
        self.route = route
        self.elapsed = elapsed
        self.state = state.map { DeviceState(parameters: $0, type: type) }
        self.seq = seq
    }

    /// `{"device","route","error","elapsedMs","state"}` as scripts read it (`error` is always 0:
    /// a device's error code is thrown).
    public var json: JSONObject {
        var o: JSONObject = ["device": .string(deviceID), "route": .string(route.rawValue), "error": .int(0),
                             "elapsedMs": .double((elapsedMilliseconds * 1000).rounded() / 1000),
                             "state": state.map { JSONValue.object($0.parameters) } ?? .null]
        if let seq { o["seq"] = .int(seq) }
        return o
    }

    /// `elapsed` in milliseconds.
    public var elapsedMilliseconds: Double { elapsed.inMilliseconds }
}

/// Where a state read came from.
public enum StateSource: String, Sendable {
    /// The device's latest mDNS announcement.
    case mdns
    /// The device's answer to a query over the LAN.
    case http
    /// The last state the store knows (the device reported none).
    case store
    /// The cloud (WebSocket `query` or REST).
    case cloud
}

/// A device's current state and where it came from.
public struct StateResult: Sendable {
    /// The device's id.
    public var deviceID: String
    /// The device's stored name, when it has one.
    public var name: String?
    /// The route that carried the read.
    public var route: Route
    /// Where the state came from.
    public var source: StateSource
    /// The state, typed.
    public var state: DeviceState
    /// The device's LAN revision, when the LAN told it.
    public var seq: Int?
    /// The LAN address that answered, when the LAN did.
    public var host: String?
    /// The LAN port that answered, when the LAN did.
    public var port: Int?
    /// From the call to the answer.
    public var elapsed: Duration

    /// A result; `state` is typed with `type` (the device's kind, when known).
    public init(deviceID: String, route: Route, source: StateSource, state: JSONObject, seq: Int?, host: String?, port: Int?,
                elapsed: Duration, type: DeviceType? = nil, name: String? = nil) {
        self.deviceID = deviceID
        self.name = name
        self.route = route
        self.source = source
        self.state = DeviceState(parameters: state, type: type)
        self.seq = seq
        self.host = host
        self.port = port
        self.elapsed = elapsed
    }

    /// `{"device","route","source","state","seq","host","port","elapsedMs"}` as scripts read it.
    public var json: JSONObject {
        var o: JSONObject = ["device": .string(deviceID), "route": .string(route.rawValue), "source": .string(source.rawValue),
                             "state": .object(state.parameters)]
        if let seq { o["seq"] = .int(seq) }
        if let host, let port { o["host"] = .string(host); o["port"] = .int(port) }
        o["elapsedMs"] = .double((elapsed.inMilliseconds * 1000).rounded() / 1000)
        return o
    }
}

/// on / off / toggle.
public enum PowerAction: String, Sendable {
    /// Switch on.
    case on
    /// Switch off.
    case off
    /// Switch to the opposite of the current state (resolved to on or off before it is sent).
    case toggle
}

extension CommandResult {
    /// The result with the device's stored name, and its state typed by the device's kind.
    func naming(_ device: StoredDevice) -> CommandResult {
        var r = self
        r.name = device.name
        if r.state?.type == nil { r.state?.type = device.type }
        return r
    }
}

extension StateResult {
    /// The result with the device's stored name, and its state typed by the device's kind.
    func naming(_ device: StoredDevice) -> StateResult {
        var r = self
        r.name = device.name
        if r.state.type == nil { r.state.type = device.type }
        return r
    }
}
