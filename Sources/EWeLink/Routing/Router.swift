import EWeLinkCloud
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// The decision "local or cloud?": each command goes over the LAN when the device is reachable
/// there, else through the cloud WebSocket session when one is up, else through REST
/// (`/v2/device/thing/status`). The result says which route served it.
///
/// - A device never seen on the LAN goes to the cloud at once; a LAN marked down (three failures in
///   a row) too, until an announcement or a probe brings it back.
/// - The LAN wait is learnt per device (`LANHealth.timeout`), and a LAN slower than its usual self
///   is hedged: the same absolute command also goes through the cloud and the first
///   acknowledgement wins.
/// - A device that answered with an error code has spoken: that is never retried elsewhere.
public final class Router: Sendable {
    /// The router's timing rules.
    public struct Options: Sendable {
        /// The longest LAN wait; the learnt timeout stays below it.
        public var lanTimeoutCeiling: Duration = .seconds(3)
        /// The shortest LAN wait, however fast the device usually answers.
        public var lanTimeoutFloor: Duration = .milliseconds(300)
        /// Send a slow LAN command through the cloud as well.
        public var hedging = true
        /// Channel changes to one device arriving within this window go out as one `switches`
        /// command (`.zero`: each goes at once).
        public var mergeWindow: Duration = .milliseconds(100)
        /// How often a LAN marked down is probed (an `info` request, `LANController.probe`) before
        /// a command.
        public var probeInterval: Duration = .seconds(30)
        /// How long the probe waits for the device's reply (longer for a device whose replies are
        /// learnt to be slower: its hedge delay).
        public var probeTimeout: Duration = .milliseconds(300)
        /// After the avahi-daemon's cache did not know a device without an address, it is not asked
        /// again for this long (the command goes to the cloud at once).
        public var cacheMissInterval: Duration = .seconds(60)
        /// The defaults: LAN waits of 300 ms to 3 s, hedging on, 100 ms merge window, probes every 30 s.
        public init() {}
    }

    /// The LAN side (a `LANController`, or a test's fake).
    let lan: any LANLeg
    /// The cloud side; nil without a cloud session.
    let cloud: (any CloudLeg)?
    /// The timing rules this router was made with.
    public let options: Options
    private let presence = Mutex<[String: Bool]>([:])
    private let merger = ChannelMerger()
    /// The LAN requests in flight per device and the order of commands (see `LANLegLedger`).
    let ledger = LANLegLedger()
    private let listener = Mutex<Task<Void, Never>?>(nil)

    /// A router over a LAN controller and, optionally, a logged-in cloud client and the WebSocket
    /// session its caller made (and owns: start and stop it there); the router follows its
    /// online/offline messages.
    public convenience init(lan: LANController, cloud: CloudClient? = nil, socket: CloudSocket? = nil,
                            options: Options = Options()) {
        self.init(lanLeg: lan, cloudLeg: cloud.map { CloudSessionLeg(client: $0, socket: socket) }, options: options)
        if let socket {
            let events = socket.subscribe()
            listener.withLock { $0 = Task { [weak self] in
                for await event in events {
                    guard case .online(let id, let online) = event else { continue }
                    self?.noteCloudPresence(id, online)
                }
            } }
        }
    }

    /// A router over any two legs (tests use fakes).
    package init(lanLeg: any LANLeg, cloudLeg: (any CloudLeg)?, options: Options = Options()) {
        lan = lanLeg
        cloud = cloudLeg
        self.options = options
    }

    deinit { listener.withLock { $0?.cancel() } }

    // MARK: Commands

    /// Sends `params` to a device by the fastest route that works; `via` overrides the device's
    /// stored policy. An explicit `endpoint` must have the protocol's form (`ZeroconfEndpoint`,
    /// else `.invalidEndpoint`, nothing sent); unless it is the one the params name, the command
    /// goes over the LAN only, as the cloud cannot carry an endpoint.
    public func send(_ params: JSONObject, to query: String, endpoint: String? = nil,
                     via: RoutePolicy? = nil) async throws(ControlError) -> CommandResult {
        let started = ContinuousClock.now
        if let endpoint, !ZeroconfEndpoint.isValid(endpoint) { throw .lan(.invalidEndpoint(endpoint)) }
        let stored = try await lan.device(query)
        let (planned, device) = try await plan(for: stored, via: via)
        var plan = planned
        if let endpoint, endpoint != CommandShape.endpoint(for: params, type: device.type) {
            plan = try withoutCloud(device: device, endpoint: endpoint, policy: via ?? stored.policy)
        }
        return try await execute(plan, params, device: device, endpoint: endpoint, started: started).naming(device)
    }

    /// An explicit endpoint other than the one the params name has no cloud equivalent (the cloud
    /// only sets params): such a command goes over the LAN or nowhere, never to the cloud with
    /// its endpoint dropped.
    private func withoutCloud(device: StoredDevice, endpoint: String, policy: RoutePolicy) throws(ControlError) -> Plan {
        guard policy != .cloud else {
            throw .endpointNeedsLAN(endpoint: endpoint, device: device.displayName)
        }
        return .lanOnly(timeout: options.lanTimeoutCeiling)
    }

    /// on / off / toggle by the same rules. A toggle is resolved to an absolute state first (from
    /// the LAN announcement, else from the cloud), so whatever route carries it, it means one thing.
    public func power(_ action: PowerAction, _ query: String, channel: Int? = nil,
                      via: RoutePolicy? = nil) async throws(ControlError) -> CommandResult {
        let started = ContinuousClock.now
        let (plan, planned) = try await plan(for: try await lan.device(query), via: via)
        var device = planned
        let params: JSONObject
        if plan.isCloudOnly {
            (device, params) = try await cloudPowerParams(action, device: device, channel: channel)
        } else {
            do throws(ControlError) {
                (device, params) = try await lan.powerParams(action, device: device, channel: channel)
            } catch {
                // The LAN could not tell the state a toggle needs: the cloud can.
                guard case .stateUnknown = error, action == .toggle, canUseCloud(device) else { throw error }
                (device, params) = try await cloudPowerParams(action, device: device, channel: channel)
            }
        }
        if options.mergeWindow > .zero, action != .toggle, channel != nil, params.keys == ["switches"] {
            let merged = device
            return try await merger.submit(deviceID: device.id, params: params, window: options.mergeWindow) {
                (combined: JSONObject) async throws(ControlError) -> CommandResult in
                try await self.execute(plan, combined, device: merged, endpoint: nil, started: started).naming(merged)
            }
        }
        return try await execute(plan, params, device: device, endpoint: nil, started: started).naming(device)
    }

    /// on / off / toggle params without asking the LAN; a toggle reads the state from the cloud.
    func cloudPowerParams(_ action: PowerAction, device stored: StoredDevice,
                                  channel: Int?) async throws(ControlError) -> (StoredDevice, JSONObject) {
        var device = stored
        if action == .toggle {
            do { device.lastState = try await cloudState(device).0 } catch {
                throw .cloud(error, lan: "the LAN did not report the state")
            }
        }
        return try await lan.powerParams(action, device: device, channel: channel, lookUp: false)
    }

    /// The current state: from the LAN (announcement or a query), else from the cloud (the
    /// WebSocket `query` when a session is up, else REST), with the same policies as commands.
    public func state(of query: String, via: RoutePolicy? = nil) async throws(ControlError) -> StateResult {
        let started = ContinuousClock.now
        let device = try await lan.device(query)
        let policy = via ?? device.policy
        var lanError: ControlError? = nil
        if policy != .cloud {
            do { return try await lan.state(of: device.id).naming(device) } catch {
                guard policy == .auto, canUseCloud(device), Self.shouldFallBack(error) || Self.isStateUnknown(error) else { throw error }
                lanError = error
            }
        }
        guard cloud?.hasSession == true else {
            throw lanError ?? .noCloudSession(device: device.displayName)
        }
        do {
            let (state, route) = try await cloudState(device)
            return StateResult(deviceID: device.id, route: route, source: .cloud, state: state, seq: nil, host: nil,
                               port: nil, elapsed: ContinuousClock.now - started, type: device.type, name: device.name)
        } catch {
            throw .cloud(error, lan: lanError?.description ?? "\(device.displayName) was not asked on the LAN (policy)")
        }
    }

    static func isStateUnknown(_ error: ControlError) -> Bool {
        if case .stateUnknown = error { return true }
        return false
    }

    // MARK: Reachability

    /// What the router knows of a device's routes.
    public func reachability(of query: String) async throws(ControlError) -> Reachability {
        let device = try await lan.device(query)
        let health = device.lanHealth
        return Reachability(deviceID: device.id, policy: device.policy, lanKnown: device.host != nil,
                            lanDown: health.isDown, lanFailures: health.failures,
                            lanTimeout: health.timeout(floor: options.lanTimeoutFloor, ceiling: options.lanTimeoutCeiling),
                            lastReplyMs: health.replyMs.last,
                            cloudOnline: presence.withLock { $0[device.id] } ?? device.cloudOnline,
                            cloudSession: cloud?.socketConnected == true ? .websocket : (cloud?.hasSession == true ? .rest : nil))
    }

    /// Records a `sysmsg` online/offline (also kept in the store for later processes).
    public func noteCloudPresence(_ deviceID: String, _ online: Bool) {
        // The store first: once this router says it, a later process can read it too.
        lan.noteCloudPresence(deviceID, online)
        presence.withLock { $0[deviceID] = online }
    }

    // MARK: Planning

    enum Plan {
        case lanOnly(timeout: Duration)
        case cloudOnly(why: String)
        case lanThenCloud(timeout: Duration, hedgeAfter: Duration?)

        var isCloudOnly: Bool { if case .cloudOnly = self { return true } else { return false } }
    }

    /// Whether `auto` may fall back to the cloud: the device is known to be in the account (it
    /// came with its owner's apikey from a sync). Asked for explicitly (`--via cloud`), REST needs
    /// only the device id; the WebSocket also needs the apikey and is skipped without it.
    func canUseCloud(_ device: StoredDevice) -> Bool {
        cloud?.hasSession == true && device.apikey != nil
    }

    /// The route plan, and the device as the plan found it (with an address from the mDNS cache).
    func plan(for device: StoredDevice, via: RoutePolicy?) async throws(ControlError) -> (Plan, StoredDevice) {
        let health = device.lanHealth
        switch via ?? device.policy {
        case .lan:
            return (.lanOnly(timeout: options.lanTimeoutCeiling), device)
        case .cloud:
            guard cloud?.hasSession == true else {
                throw .noCloudSession(device: device.displayName)
            }
            return (.cloudOnly(why: "policy"), device)
        case .auto:
            guard canUseCloud(device) else { return (.lanOnly(timeout: options.lanTimeoutCeiling), device) }
            guard device.host != nil else {
                // Announced but not in the store yet (right after a sync, say)? Only the daemon's
                // cache is asked, which takes milliseconds (a fresh query would take seconds), and
                // not again for a minute after it did not know the device.
                let recentMiss = health.lastCacheMiss.map { Date().timeIntervalSince($0) < options.cacheMissInterval.inSeconds } ?? false
                guard !recentMiss, let found = try? await lan.lookup(device.id, cacheOnly: true) else {
                    if !recentMiss { lan.noteCacheMiss(device.id) }
                    return (.cloudOnly(why: "never seen on the LAN"), device)
                }
                lan.remember([found])
                var seen = device
                seen.adopt(found)
                return (lanPlan(seen.lanHealth), seen)
            }
            if health.isDown {
                let due = health.lastProbe.map { Date().timeIntervalSince($0) >= options.probeInterval.inSeconds } ?? true
                // A device learnt to answer slowly gets the time its replies take (the hedge delay).
                let probeWait = max(options.probeTimeout, health.hedgeDelay(limit: options.lanTimeoutCeiling))
                guard due, await lan.probe(device, timeout: probeWait) else {
                    return (.cloudOnly(why: "the LAN is down (\(health.failures) failures in a row)"), device)
                }
            }
            return (lanPlan(health), device)
        }
    }

    /// LAN first with the learnt timeout, hedged when allowed.
    private func lanPlan(_ health: LANHealth) -> Plan {
        let timeout = health.timeout(floor: options.lanTimeoutFloor, ceiling: options.lanTimeoutCeiling)
        return .lanThenCloud(timeout: timeout, hedgeAfter: options.hedging ? health.hedgeDelay(limit: timeout) : nil)
    }

    private func execute(_ plan: Plan, _ params: JSONObject, device: StoredDevice, endpoint: String?,
                         started: ContinuousClock.Instant) async throws(ControlError) -> CommandResult {
        let generation = ledger.nextGeneration(device.id)
        let result = try await route(plan, params, device: device, endpoint: endpoint, started: started,
                                     generation: generation)
        ledger.acknowledged(device.id, generation)
        return result
    }

    private func route(_ plan: Plan, _ params: JSONObject, device: StoredDevice, endpoint: String?,
                       started: ContinuousClock.Instant, generation: Int) async throws(ControlError) -> CommandResult {
        switch plan {
        case .lanOnly(let timeout):
            return try await lan.send(params, to: device, endpoint: endpoint, started: started, timeout: timeout,
                                      relookup: true, onWire: nil, proceed: nil)
        case .cloudOnly(let why):
            let result: CommandResult
            do { result = try await viaCloud(params, device: device, started: started) } catch {
                throw .cloud(error, lan: "\(device.displayName) was not tried on the LAN (\(why))")
            }
            if ledger.inFlight(device.id) > 0 {
                // An earlier command is still queued for this device's LAN: send this acknowledged
                // one after it there too, so the LAN cannot end on the older state.
                sendLANCopy(params, to: device, endpoint: endpoint, generation: generation)
            }
            return result
        case .lanThenCloud(let timeout, let hedgeAfter):
            let race = HedgedCommand(router: self, params: params, device: device, endpoint: endpoint, started: started,
                                     timeout: timeout, generation: generation)
            return try await race.run(hedgeAfter: hedgeAfter)
        }
    }

    /// Whether a LAN failure lets the cloud try: only when the LAN could not reach the device, has
    /// no working key for it, or got an unreadable reply; never when the device answered with an
    /// error code.
    static func shouldFallBack(_ error: ControlError) -> Bool {
        switch error {
        case .lan(let e):
            switch e {
            // No usable key, or a reply that could not be read (the command's fate is unknown; it
            // is absolute, so carrying it again through the cloud cannot do harm).
            case .deviceKeyMissing, .keyRejected, .decryptionFailed, .invalidReply, .replyTooLarge: return true
            // Nothing was sent: the address could not show it is the device.
            case .addressUnproven, .addressContested: return true
            default: return e.isUnreachable
            }
        case .mdns: return true
        default: return false
        }
    }

    // MARK: Cloud leg

    /// The device's params as the cloud knows them, and the route that told.
    func cloudState(_ device: StoredDevice) async throws(CloudError) -> (JSONObject, Route) {
        guard let cloud else { throw .notLoggedIn }
        if cloud.socketConnected, let apikey = device.apikey,
           let params = try? await cloud.socketQuery(device.id, apikey: apikey) {
            return (params, .websocket)
        }
        return (try await cloud.restStatus(device.id), .rest)
    }

    /// The WebSocket when the session is up and the device is not known offline, else REST.
    func viaCloud(_ params: JSONObject, device: StoredDevice, started: ContinuousClock.Instant) async throws(CloudError) -> CommandResult {
        guard let cloud else { throw .notLoggedIn }
        let state = (device.lastState ?? [:]).applying(params)
        let online = presence.withLock { $0[device.id] }
        if cloud.socketConnected, let apikey = device.apikey, online != false {
            do throws(CloudError) {
                let code = try await cloud.socketUpdate(device.id, apikey: apikey, params: params)
                guard code == 0 else {
                    // The device (or the cloud for it) refused: REST would be told the same.
                    throw CloudError.api(code: code, message: "the device did not accept the command", path: "websocket update")
                }
                return CommandResult(deviceID: device.id, route: .websocket,
                                     elapsed: ContinuousClock.now - started, state: state, seq: nil)
            } catch {
                // The device refused or does not respond: REST would be told the same.
                switch error {
                case .api, .deviceOffline: throw error
                default: break  // the socket failed under the command: REST is the last resort
                }
            }
        }
        try await cloud.restUpdate(device.id, params: params)
        return CommandResult(deviceID: device.id, route: .rest, elapsed: ContinuousClock.now - started,
                             state: state, seq: nil)
    }

    /// LAN copies of commands still in flight (answered already through the cloud).
    package var lanCommandsInFlight: Int { ledger.totalInFlight }
}

/// What the router knows of one device's routes.
public struct Reachability: Sendable {
    /// The device the report is about.
    public var deviceID: String
    /// The route policy stored for the device (`auto`, `lan` or `cloud`).
    public var policy: RoutePolicy
    /// An address is known (announced or configured).
    public var lanKnown: Bool
    /// Whether the LAN is marked down after consecutive failures (commands go to the cloud until it is back).
    public var lanDown: Bool
    /// Consecutive LAN failures so far (three mark the LAN down).
    public var lanFailures: Int
    /// The LAN wait the next command gets.
    public var lanTimeout: Duration
    /// How long the last LAN reply took, in milliseconds (nil: none yet).
    public var lastReplyMs: Double?
    /// The cloud's word (nil: never said).
    public var cloudOnline: Bool?
    /// The cloud route a command would take now: `.websocket` while the session is up, `.rest`
    /// when logged in without it, nil without a cloud session.
    public var cloudSession: Route?

    /// The report as the hub's `GET /devices/{id}` shows it under `routes`.
    public var json: JSONObject {
        var o: JSONObject = ["device": .string(deviceID), "policy": .string(policy.rawValue), "lanKnown": .bool(lanKnown),
                             "lanDown": .bool(lanDown), "lanFailures": .int(lanFailures),
                             "lanTimeoutMs": .double(lanTimeout.inMilliseconds.rounded())]
        o["lastReplyMs"] = lastReplyMs.map(JSONValue.double) ?? .null
        o["cloudOnline"] = cloudOnline.map(JSONValue.bool) ?? .null
        o["cloudSession"] = cloudSession.map { .string($0.rawValue) } ?? .null
        return o
    }
}
