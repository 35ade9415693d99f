import EWeLink
import EWeLinkCloud
import EWeLinkLAN
import Foundation
import Synchronization

/// A LAN leg with no network: each device answers as its `Behaviour` says, in the time it says,
/// so routing rules can be checked in milliseconds.
public final class FakeLAN: LANLeg {
    public enum Behaviour: Sendable {
        /// Acknowledges after `delay`.
        case answer(after: Duration)
        /// Refuses the connection at once.
        case refuse
        /// Never answers: the leg times out after the router's wait.
        case silent
        /// The device answers with an error code.
        case deviceError(Int)
        /// Something else answers at the address and cannot prove it is the device: the command
        /// is not sent there (`addressUnproven`).
        case impostor
    }

    struct State {
        var devices: [String: StoredDevice] = [:]
        var behaviour: [String: Behaviour] = [:]
        var log: [String] = []
        var cacheHits: [String: DiscoveredDevice] = [:]
        var probeOpen = false
    }

    private let state = Mutex(State())

    public init(_ devices: [StoredDevice]) {
        state.withLock { s in for d in devices { s.devices[d.id] = d } }
    }

    /// How the device answers from now on (default: at once).
    public func set(_ deviceID: String, _ behaviour: Behaviour) { state.withLock { $0.behaviour[deviceID] = behaviour } }
    /// What the avahi-daemon's cache says of a device.
    public func announce(_ found: DiscoveredDevice) { state.withLock { $0.cacheHits[found.id] = found } }
    /// Whether a probe finds the port open.
    public func setProbe(open: Bool) { state.withLock { $0.probeOpen = open } }
    /// The device as recorded so far (failures, presence).
    public func stored(_ deviceID: String) -> StoredDevice? { state.withLock { $0.devices[deviceID] } }
    /// What the router asked for, in order: `send ID`, `lookup ID`, `probe ID`, `state ID`, `refresh ID`.
    public var log: [String] { state.withLock { $0.log } }
    public func count(_ entry: String) -> Int { log.filter { $0 == entry }.count }

    private func note(_ entry: String) { state.withLock { $0.log.append(entry) } }

    public func device(_ query: String) async throws(ControlError) -> StoredDevice {
        let found = state.withLock { s in s.devices[query] ?? s.devices.values.first { $0.name == query } }
        guard let found else { throw .unknownDevice(query) }
        return found
    }

    public func lookup(_ deviceID: String, cacheOnly: Bool) async throws(ControlError) -> DiscoveredDevice? {
        note("lookup \(deviceID)")
        return state.withLock { $0.cacheHits[deviceID] }
    }

    public func send(_ params: JSONObject, to device: StoredDevice, endpoint: String?, started: ContinuousClock.Instant,
                     timeout: Duration?, relookup: Bool, onWire: (@Sendable () -> Void)?,
                     proceed: (@Sendable () -> Bool)?) async throws(ControlError) -> EWeLink.CommandResult {
        note("send \(device.id)")
        let behaviour = state.withLock { $0.behaviour[device.id] } ?? .answer(after: .zero)
        let host = device.host ?? "127.0.0.1", port = device.port ?? 8081
        onWire?()
        switch behaviour {
        case .refuse:
            noteFailure(device.id)
            throw .lan(.lanRefused(host: host, port: port))
        case .deviceError(let code):
            throw .lan(.lanError(code: code, deviceID: device.id))
        case .impostor:
            throw .lan(.addressUnproven(deviceID: device.id, host: host, port: port,
                                        reason: "its reply to info carried no encrypted state"))
        case .silent:
            let wait = timeout ?? .seconds(3)
            try? await Task.sleep(for: wait)
            noteFailure(device.id)
            throw .lan(.lanTimeout(host: host, port: port, afterMs: Int(wait.inMilliseconds)))
        case .answer(let delay):
            if delay > .zero {
                if let timeout, delay > timeout {
                    try? await Task.sleep(for: timeout)
                    noteFailure(device.id)
                    throw .lan(.lanTimeout(host: host, port: port, afterMs: Int(timeout.inMilliseconds)))
                }
                try? await Task.sleep(for: delay)
            }
            if let proceed, !proceed() { throw .lan(.superseded(deviceID: device.id)) }
            state.withLock { s in
                s.devices[device.id]?.lanHealth.succeeded(after: delay)
                s.devices[device.id]?.lastState = (device.lastState ?? [:]).applying(params)
            }
            return EWeLink.CommandResult(deviceID: device.id, route: .lan, elapsed: ContinuousClock.now - started,
                                 state: (device.lastState ?? [:]).applying(params), seq: 1)
        }
    }

    public func state(of deviceID: String) async throws(ControlError) -> StateResult {
        note("state \(deviceID)")
        let device = try await device(deviceID)
        switch state.withLock({ $0.behaviour[deviceID] }) ?? .answer(after: .zero) {
        case .answer:
            return StateResult(deviceID: deviceID, route: .lan, source: .http, state: device.lastState ?? [:], seq: nil,
                               host: device.host, port: device.port, elapsed: .zero)
        default:
            throw .lan(.lanRefused(host: device.host ?? "", port: device.port ?? 8081))
        }
    }

    public func probe(_ device: StoredDevice, timeout: Duration) async -> Bool {
        note("probe \(device.id)")
        let open = state.withLock { $0.probeOpen }
        state.withLock { s in
            s.devices[device.id]?.lanHealth.lastProbe = Date()
            if open { s.devices[device.id]?.lanHealth.failures = 0 }
        }
        return open
    }

    public func refreshAddress(_ deviceID: String) async { note("refresh \(deviceID)") }

    public func remember(_ devices: [DiscoveredDevice]) {}

    public func noteFailure(_ deviceID: String) { state.withLock { $0.devices[deviceID]?.lanHealth.failed() } }

    public func noteCacheMiss(_ deviceID: String) {
        state.withLock { $0.devices[deviceID]?.lanHealth.lastCacheMiss = Date() }
    }

    public func noteCloudPresence(_ deviceID: String, _ online: Bool) {
        state.withLock { $0.devices[deviceID]?.cloudOnline = online }
    }
}

/// A cloud leg with no network: the WebSocket and REST each answer as told, after the delay told.
public final class FakeCloud: CloudLeg {
    public enum Behaviour: Sendable {
        case answer(after: Duration)
        /// The transport failed (the socket dropped, REST unreachable).
        case fail(CloudError)
        /// The device (or the cloud for it) refused with this code.
        case refuse(Int)
    }

    struct State {
        var session = true
        var socket = true
        var socketBehaviour = Behaviour.answer(after: .zero)
        var restBehaviour = Behaviour.answer(after: .zero)
        var log: [String] = []
    }

    private let state = Mutex(State())

    /// `session`: logged in (REST works); `socket`: the WebSocket session is up.
    public init(session: Bool = true, socket: Bool = true) {
        state.withLock { $0.session = session; $0.socket = socket }
    }

    public func setSocket(_ behaviour: Behaviour) { state.withLock { $0.socketBehaviour = behaviour } }
    public func setREST(_ behaviour: Behaviour) { state.withLock { $0.restBehaviour = behaviour } }
    public func setSocket(up: Bool) { state.withLock { $0.socket = up } }
    /// What the router asked for, in order: `ws update ID`, `ws query ID`, `rest update ID`, `rest status ID`.
    public var log: [String] { state.withLock { $0.log } }

    public var hasSession: Bool { state.withLock { $0.session } }
    public var socketConnected: Bool { state.withLock { $0.session && $0.socket } }

    private func perform(_ entry: String, socket: Bool) async throws(CloudError) -> Int {
        let b = state.withLock { s in s.log.append(entry); return socket ? s.socketBehaviour : s.restBehaviour }
        switch b {
        case .answer(let delay):
            if delay > .zero { try? await Task.sleep(for: delay) }
            return 0
        case .fail(let error): throw error
        case .refuse(let code): return code
        }
    }

    public func socketUpdate(_ deviceID: String, apikey: String, params: JSONObject) async throws(CloudError) -> Int {
        try await perform("ws update \(deviceID)", socket: true)
    }

    public func socketQuery(_ deviceID: String, apikey: String) async throws(CloudError) -> JSONObject? {
        try await perform("ws query \(deviceID)", socket: true) == 0 ? ["switch": "on"] : nil
    }

    public func restUpdate(_ deviceID: String, params: JSONObject) async throws(CloudError) {
        let code = try await perform("rest update \(deviceID)", socket: false)
        if code != 0 { throw .api(code: code, message: "refused", path: "/v2/device/thing/status") }
    }

    public func restStatus(_ deviceID: String) async throws(CloudError) -> JSONObject {
        let code = try await perform("rest status \(deviceID)", socket: false)
        if code != 0 { throw .api(code: code, message: "refused", path: "/v2/device/thing/status") }
        return ["switch": "on"]
    }
}

extension StoredDevice {
    /// A device as a sync and an earlier LAN reply leave it: key, owner apikey, address, one reply time.
    public static func fake(_ id: String, name: String? = nil, host: String? = "127.0.0.1", replyMs: Double? = 1,
                            apikey: String? = "owner-apikey") -> StoredDevice {
        var d = StoredDevice(id: id, name: name, devicekey: "0123456789abcdef0123456789abcdef", apikey: apikey,
                             type: DeviceType(rawValue: "plug"), host: host, port: host == nil ? nil : 8081,
                             lastState: ["switch": "off"])
        if let replyMs { d.lanHealth.replyMs = [replyMs] }
        return d
    }
}
