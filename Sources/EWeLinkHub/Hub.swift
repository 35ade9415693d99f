import EWeLink
import EWeLinkCloud
import EWeLinkHubClient
import EWeLinkLAN
import Foundation
import Logging
import Synchronization

/// How the hub runs: where it listens, who may talk to it, and its bounds.
public struct HubOptions: Sendable {
    public struct TCPAddress: Sendable, Equatable {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// The Unix socket (mode 0600): every local client of the same user.
    public var socketPath: String
    /// A TCP address as well, only with a bearer token.
    public var listen: TCPAddress?
    public var token: String?
    /// Follow and use the cloud when logged in.
    public var cloud = true
    /// Largest request body (params of `send`), bytes.
    public var maxBodyBytes = 64 * 1024
    /// Open connections at most; beyond it new ones wait in the kernel's backlog.
    public var maxConnections = 4096
    /// Commands and status reads being answered at once; beyond it one is refused (503), not queued.
    public var maxCommandsInFlight = 512
    /// Commands and status reads for one device not yet finished (one answered 504 leaves the
    /// device's queue at once; the one already sent ends with its LAN wait); beyond it one for that
    /// device is refused (503), so a dead device cannot take every slot.
    public var maxCommandsPerDevice = 64
    /// Longest a command or status read may take, its wait for the device's turn included, before
    /// the hub answers for it (504; the device may still act).
    public var commandTimeout: Duration = .seconds(30)
    /// A connection that sends nothing for this long is closed (a request never finished).
    public var idleTimeout: Duration = .seconds(15)
    /// A TCP connection that has not shown the token this long after connecting is closed.
    public var authenticationDeadline: Duration = .seconds(5)
    /// TCP connections per peer address still to show the token; a new one past it closes the
    /// address's oldest.
    public var maxUnauthenticatedPerAddress = 32
    /// Names TCP requests may give as `Host` besides IP addresses, `localhost` and the listen host.
    public var allowedHosts: [String] = []
    /// The environment the store, the cloud configuration and the socket path come from.
    public var environment: [String: String]
    /// The MQTT bridge's broker and topics (`--mqtt`); nil: no bridge.
    public var mqtt: MQTTOptions?

    public init(socketPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.socketPath = socketPath
        self.environment = environment
    }
}

/// A refusal with its HTTP status: a control failure as the CLI reports it, or the hub's own
/// (busy, timed out, not logged in).
public struct HubError: Error, Sendable {
    public var failure: HubFailure
    public var status: Int

    init(_ failure: HubFailure, status: Int? = nil) {
        self.failure = failure
        self.status = status ?? failure.httpStatus
    }

    init(_ error: ControlError, device: String?) { self.init(HubFailure(error, device: device)) }

    static func badInput(_ message: String) -> HubError {
        HubError(HubFailure(message: message, exitCode: ExitStatus.badInput))
    }
}

/// The resident state behind `ewelink serve`: one `EWeLinkClient` (the store, one Avahi browser,
/// learnt timeouts, the router, the cloud WebSocket session when logged in), the event stream
/// every `/events` client shares, and the metrics.
public final class Hub: Sendable {
    public let options: HubOptions
    /// The client every request goes through (the same one apps use).
    public let client: EWeLinkClient
    var lan: LANController { client.lan }
    var router: Router { client.router }
    var socket: CloudSocket? { client.socket }
    let events: AsyncStream<DeviceEvent>
    let fanout = EventFanout()
    let metrics = HubMetrics()
    let logger: Logger
    let startedAt = ContinuousClock.now

    /// What the hub has seen of each device since it started.
    struct Live: Sendable {
        var state: JSONObject?
        var seq: Int?
        var source: String?
        var lastSeen: Date?
        var lan: Bool?
        var cloud: Bool?

        var json: JSONObject {
            var o: JSONObject = ["state": state.map(JSONValue.object) ?? .null, "seq": seq.map(JSONValue.int) ?? .null,
                                 "source": source.map(JSONValue.string) ?? .null]
            o["lastSeen"] = lastSeen.map { .string($0.formatted(.iso8601)) } ?? .null
            o["lanSeen"] = lan.map(JSONValue.bool) ?? .null
            o["cloudOnline"] = cloud.map(JSONValue.bool) ?? .null
            return o
        }
    }

    private let live = Mutex<[String: Live]>([:])
    /// Requests not yet answered, and per device the operations not yet finished.
    let admission = Mutex(Admission())
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let upgrades = Mutex<Set<String>>([])

    public init(options: HubOptions, logger: Logger) throws(ControlError) {
        self.options = options
        self.logger = logger
        // Each request is answered on its own, as the one-shot CLI does (same results either way).
        client = EWeLinkClient(configuration: .fromEnvironmentOrLANOnly(options.environment, cloud: options.cloud))
        client.onStoreProblem { logger.warning("store: \($0)") }
        events = try client.events(from: .knownDevices)
    }

    /// Starts passing events on (the client's session is up from the first subscription).
    public func start() {
        let events = self.events
        let task = Task { [weak self] in
            for await event in events { self?.handle(event) }
        }
        // A comment every 15 s: proxies keep the stream open and the hub notices clients gone.
        let fanout = self.fanout
        let keepAlive = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(15))
                fanout.publish(.init(name: nil, data: "keep-alive", deviceID: nil, isComment: true))
            }
        }
        tasks.withLock { $0.append(contentsOf: [task, keepAlive]) }
        logger.info("hub started", metadata: ["store": "\(lan.directory.store.path)",
                                              "cloud": "\(socket == nil ? "off" : "on")"])
    }

    /// Ends the event streams (clients see the end).
    public func stopEvents() {
        fanout.close()
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }

    /// Ends the client: its cloud session, politely, and what the store still has to write.
    public func stopCloud() async {
        await client.shutdown()
    }

    var cloudState: String {
        guard let socket else { return "off" }
        return socket.isConnected ? "connected" : "connecting"
    }

    var commandsInFlight: Int { admission.withLock { $0.answering } }

    var uptime: Duration { ContinuousClock.now - startedAt }

    // MARK: Events

    private func handle(_ event: DeviceEvent) {
        let stored = (try? lan.directory.stored(event.deviceID)) ?? nil
        let name = stored?.name
        live.withLock { all in
            // An id not in the store is not remembered once gone (a neighbour can make up endless ids).
            if stored == nil, event.kind == .disappeared {
                all[event.deviceID] = nil
                return
            }
            var l = all[event.deviceID] ?? Live()
            if let params = event.params, event.kind == .state || event.kind == .appeared {
                // The cloud sends the changed params only: merged into what is known.
                if event.source == .cloud, var state = l.state {
                    state.merge(params)
                    l.state = state
                } else {
                    l.state = params
                }
                if let seq = event.seq { l.seq = seq }
                l.source = event.source.rawValue
                l.lastSeen = event.time
            }
            switch (event.source, event.kind) {
            case (.mdns, .appeared), (.mdns, .state), (.http, _): l.lan = true
            case (.mdns, .disappeared): l.lan = false
            case (.cloud, .online): l.cloud = true
            case (.cloud, .offline): l.cloud = false
            default: break
            }
            all[event.deviceID] = l
        }
        // Series for stored devices only: an id anyone can announce must not grow /metrics.
        if let stored {
            let id = stored.id, label = stored.displayName
            if let params = event.params, event.kind != .rejected { metrics.record(state: params, deviceID: id, name: label) }
            switch (event.source, event.kind) {
            case (.mdns, .appeared), (.mdns, .state), (.http, .state):
                metrics.record(online: true, path: "lan", deviceID: id, name: label)
            case (.mdns, .disappeared): metrics.record(online: false, path: "lan", deviceID: id, name: label)
            case (.cloud, .online): metrics.record(online: true, path: "cloud", deviceID: id, name: label)
            case (.cloud, .offline): metrics.record(online: false, path: "cloud", deviceID: id, name: label)
            default: break
            }
        }
        metrics.record(eventFrom: event.source.rawValue)
        fanout.publish(.init(name: nil, data: JSONValue.object(event.json(name: name)).serialized, deviceID: event.deviceID))
        // One line per event: state changes (hundreds a second under load) at debug, the rest
        // (appeared, gone, online, offline, rejected, contested) at info.
        logger.log(level: event.kind == .state ? .debug : .info, "event",
                   metadata: ["device": "\(event.deviceID)", "source": "\(event.source.rawValue)",
                              "kind": "\(event.kind.rawValue)", "seq": "\(event.seq.map(String.init) ?? "-")"])
    }

    func live(_ deviceID: String) -> Live? { live.withLock { $0[deviceID] } }

    // MARK: Commands

    /// Runs one command within the hub's bounds (see `admitted`); counted in the metrics by route.
    func command(_ label: String, device query: String, via: RoutePolicy?,
                 _ body: @escaping @Sendable () async throws(ControlError) -> CommandResult) async throws(HubError) -> CommandResult {
        let started = ContinuousClock.now
        let outcome: Result<CommandResult, ControlError>
        do {
            outcome = try await admitted(device: query) { () async -> Result<CommandResult, ControlError> in
                do throws(ControlError) { return .success(try await body()) } catch { return .failure(error) }
            }
        } catch {
            if error.status == 504 {
                metrics.record(command: "none", ok: false, elapsed: ContinuousClock.now - started, fallback: false)
            }
            throw error
        }
        switch outcome {
        case .success(let result):
            let fallback = result.route != .lan && via != .cloud && policy(of: result.deviceID) == .auto
            metrics.record(command: result.route.rawValue, ok: true, elapsed: result.elapsed, fallback: fallback)
            recordAnswer(result)
            logger.debug("command", metadata: ["action": "\(label)", "device": "\(result.deviceID)",
                                               "route": "\(result.route.rawValue)",
                                               "ms": "\(String(format: "%.2f", result.elapsedMilliseconds))"])
            return result
        case .failure(let error):
            metrics.record(command: "none", ok: false, elapsed: ContinuousClock.now - started, fallback: false)
            logger.info("command failed", metadata: ["action": "\(label)", "device": "\(query)", "error": "\(error)"])
            throw HubError(error, device: query)
        }
    }

    /// A stored device that answered a command: its state after it, and that the LAN reaches it when
    /// the LAN carried it (a device known only by address is never announced).
    private func recordAnswer(_ result: CommandResult) {
        guard let stored = (try? lan.directory.stored(result.deviceID)) ?? nil else { return }
        if let state = result.state?.parameters { metrics.record(state: state, deviceID: stored.id, name: stored.displayName) }
        if result.route == .lan { metrics.record(online: true, path: "lan", deviceID: stored.id, name: stored.displayName) }
    }

    /// `/metrics`: series for exactly the stored devices, then the text.
    func metricsText() -> [UInt8] {
        let stored = (try? lan.directory.devices()) ?? []
        metrics.keep(devices: Dictionary(stored.map { ($0.id, $0.displayName) }, uniquingKeysWith: { a, _ in a }))
        return metrics.exposition(cloudConnected: socket.map(\.isConnected), cloudConnections: socket?.connectionCount ?? 0,
                                  sseClients: fanout.count, uptime: uptime, inFlight: commandsInFlight)
    }

    private func policy(of deviceID: String) -> RoutePolicy? {
        (try? lan.directory.stored(deviceID))??.policy
    }

    func power(_ action: PowerAction, _ query: String, channel: Int?, via: RoutePolicy?) async throws(HubError) -> CommandResult {
        let router = self.router
        return try await command(action.rawValue, device: query, via: via) { () async throws(ControlError) -> CommandResult in
            try await router.power(action, query, channel: channel, via: via)
        }
    }

    func send(_ params: JSONObject, to query: String, endpoint: String?, via: RoutePolicy?) async throws(HubError) -> CommandResult {
        let router = self.router
        return try await command("send", device: query, via: via) { () async throws(ControlError) -> CommandResult in
            try await router.send(params, to: query, endpoint: endpoint, via: via)
        }
    }

    /// `ewelink status --json`: the state, of one channel when asked.
    func status(of query: String, channel: Int?, via: RoutePolicy?) async throws(HubError) -> JSONObject {
        if let channel, !(0...3).contains(channel) { throw .badInput("channel must be 0...3") }
        let router = self.router
        let outcome = try await admitted(device: query) { () async -> Result<StateResult, ControlError> in
            do throws(ControlError) { return .success(try await router.state(of: query, via: via)) } catch { return .failure(error) }
        }
        let result: StateResult
        switch outcome {
        case .success(let r): result = r
        case .failure(let error): throw HubError(error, device: query)
        }
        guard let channel else { return result.json }
        guard let on = result.state.isOn(channel: channel) else {
            throw .badInput(CommandShape.noSuchChannel(channel, in: result.state.parameters))
        }
        var o = result.json
        o["channel"] = .int(channel)
        o["switch"] = .string(on ? "on" : "off")
        return o
    }

    /// `ewelink devices --json`: the store's records, keys never.
    func devices() throws(HubError) -> [JSONObject] {
        do { return try lan.directory.devices().map { $0.json(showKeys: false) } } catch { throw HubError(error, device: nil) }
    }

    /// One device: its record, what the router knows of its routes, and what the hub has seen.
    func device(_ query: String) async throws(HubError) -> JSONObject {
        do {
            let d = try await lan.device(query)
            let reach = try await router.reachability(of: d.id)
            return ["device": .object(d.json(showKeys: false)), "routes": .object(reach.json),
                    "live": .object((live(d.id) ?? Live()).json)]
        } catch {
            throw HubError(error, device: query)
        }
    }

    // MARK: OTA

    /// Starts a cloud firmware update and follows it; each step and the end are `ota` events.
    func startUpgrade(_ query: String, version: String?, timeout: Duration) async throws(HubError) -> String {
        guard client.socket != nil else {
            throw HubError(HubFailure(message: "firmware updates go through the cloud: run `ewelink login`, then restart the hub",
                                      exitCode: ExitStatus.cloud), status: 503)
        }
        let device: StoredDevice
        do { device = try await lan.device(query) } catch { throw HubError(error, device: query) }
        guard upgrades.withLock({ $0.insert(device.id).inserted }) else {
            throw HubError(HubFailure(message: "\(device.displayName): an update is already running", exitCode: ExitStatus.failure),
                           status: 409)
        }
        let client = self.client
        let fanout = self.fanout, logger = self.logger
        let task = Task { [weak self] in
            defer { _ = self?.upgrades.withLock { $0.remove(device.id) } }
            do throws(OTAError) {
                let outcome = try await client.upgradeFirmware(DeviceReference(device.id), version: version, timeout: timeout) { step in
                    fanout.publish(.init(name: "ota", data: JSONValue.object(step.json).serialized, deviceID: device.id))
                }
                fanout.publish(.init(name: "ota", data: JSONValue.object(outcome.json).serialized, deviceID: device.id))
                logger.info("firmware updated", metadata: ["device": "\(device.id)", "to": "\(outcome.to ?? "?")"])
            } catch {
                fanout.publish(.init(name: "ota", data: JSONValue.object(["device": .string(device.id), "ok": false,
                                                                          "error": .string(error.description)]).serialized,
                                     deviceID: device.id))
                logger.warning("firmware update failed", metadata: ["device": "\(device.id)", "error": "\(error)"])
            }
        }
        tasks.withLock { $0.append(task) }
        return device.id
    }
}
