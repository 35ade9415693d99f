import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Local control over the LAN: discovery, state and commands for the devices of the local
/// store (or DIY devices found by id over mDNS). The CLI is a thin layer over this. Finding
/// devices (store, names, mDNS) is the `directory`'s; this talks to them. It is the router's LAN
/// leg (`LANLeg`).
public final class LANController: Sendable {
    /// How it looks devices up and how patient it is with them.
    public struct Options: Sendable {
        /// How long a one-shot mDNS lookup may take when the address is unknown or went stale.
        public var resolveTimeout: Duration = .seconds(3)
        /// The network interface mDNS lookups use (nil: every interface the avahi-daemon serves).
        public var interfaceIndex: Int32? = nil
        /// The zeroconf client's reply timeout and reset retries.
        public var zeroconf = ZeroconfClient.Options()
        /// Use addresses without proof (README "Trust"): for firmware that cannot prove itself, or
        /// a DIY device claimed by several services, when the caller knows which address is right.
        public var trustAddress = false
        /// The defaults: 3 s lookups on every interface, addresses proven before use.
        public init() {}
    }

    /// The device store, lookups by id or name, and mDNS.
    public let directory: DeviceDirectory
    /// The device store behind `directory`.
    public var store: DeviceStore { directory.store }
    /// The one zeroconf client of this controller: one request in flight per device.
    public let client: ZeroconfClient
    let options: Options

    /// A controller over the store `store` with a directory of its own.
    public convenience init(store: DeviceStore, options: Options = Options()) {
        var directoryOptions = DeviceDirectory.Options()
        directoryOptions.resolveTimeout = options.resolveTimeout
        directoryOptions.interfaceIndex = options.interfaceIndex
        self.init(directory: DeviceDirectory(store: store, options: directoryOptions), options: options)
    }

    /// A controller over an existing directory (to share its cache with other users of it).
    public init(directory: DeviceDirectory, options: Options = Options()) {
        self.directory = directory
        self.options = options
        client = ZeroconfClient(options: options.zeroconf)
    }

    func connection() throws(ControlError) -> AvahiConnection { try directory.connection() }
    private func trust() throws(ControlError) -> (keys: LANDiscovery.KeyLookup, addresses: LANDiscovery.AddressLookup) {
        try directory.trust()
    }

    // MARK: Discovery

    /// Lists the devices announced on the LAN, decrypted with the stored keys, and remembers
    /// their types and states in the store (addresses are stored only once a device answered there).
    public func discover(timeout: Duration = .seconds(3)) async throws(ControlError) -> (devices: [DiscoveredDevice], complete: Bool) {
        let report = try await survey(timeout: timeout)
        return (report.devices, report.complete)
    }

    /// `discover`, with the announcements that failed the trust rule.
    public func survey(timeout: Duration = .seconds(3)) async throws(ControlError) -> DiscoveryReport {
        let (keys, addresses) = try trust()
        let conn = try connection()
        let report: DiscoveryReport
        do {
            report = try await LANDiscovery.survey(connection: conn, interfaceIndex: options.interfaceIndex,
                                                   timeout: timeout, keys: keys, trustedAddress: addresses)
        } catch let error as AvahiError {
            throw .mdns(error)
        } catch {
            throw .mdns(.failure(operation: "browse", message: "\(error)"))
        }
        remember(report.devices)
        return report
    }

    /// Follows the LAN: every appearance, state change and disappearance.
    /// `ingestReplies`: replies to this controller's own commands join the same event path.
    public func watch(ingestReplies: Bool = true) throws(ControlError) -> LANDiscovery {
        let (keys, addresses) = try trust()
        do {
            let discovery = try LANDiscovery(connection: try connection(), interfaceIndex: options.interfaceIndex, keys: keys,
                                             trustedAddress: addresses)
            // Lives as long as the discovery: watching and dropping it leaves nothing behind.
            if ingestReplies { client.onUpdate(owner: discovery) { [weak discovery] update in discovery?.ingest(update) } }
            return discovery
        }
        catch let error as AvahiError { throw .mdns(error) }
        catch { throw .mdns(.failure(operation: "browse", message: "\(error)")) }
    }

    /// Records what discovery learnt about devices already in the store: type, state, revision.
    /// Not the address: an announcement can come from anyone, so an address is stored only after
    /// the device answered there correctly (`send`, `refreshAddress`). Nor does a plain
    /// announcement remove a stored key (discovery rejects those).
    package func remember(_ devices: [DiscoveredDevice]) {
        guard !devices.isEmpty else { return }
        let seen = Dictionary(devices.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        directory.record(Array(seen.keys)) { stored in
            guard let d = seen[stored.id] else { return }
            // A new revision announced at the trusted address: the device is alive on the LAN again.
            let atTrusted = stored.host == d.host && (stored.port ?? LANProtocol.port) == d.port
            if atTrusted, stored.lastSeq != nil, stored.lastSeq != d.seq { stored.lanHealth.failures = 0 }
            if stored.type == nil { stored.type = d.type }
            if let state = d.state { stored.lastState = state; stored.lastSeq = d.seq }
            stored.lastSeen = d.lastSeen
        }
    }

    // MARK: Resolving devices

    /// The stored device named by `query` (id or name, case-insensitive). An id that is not in the
    /// store is looked up over mDNS (DIY devices need no key).
    public func device(_ query: String) async throws(ControlError) -> StoredDevice {
        try await directory.device(query)
    }

    /// A fresh mDNS lookup of one device; nil when it is not announced (see `DeviceDirectory.lookup`).
    public func lookup(_ deviceID: String, cacheOnly: Bool = false) async throws(ControlError) -> DiscoveredDevice? {
        try await directory.lookup(deviceID, cacheOnly: cacheOnly)
    }

    // MARK: Commands

    /// Switches a device (or one channel) on, off, or to the opposite of its current state.
    package func power(_ action: PowerAction, _ query: String, channel: Int? = nil) async throws(ControlError) -> CommandResult {
        let started = ContinuousClock.now
        return try await power(action, device: try await device(query), channel: channel, started: started)
    }

    /// The same, for an already resolved device.
    package func power(_ action: PowerAction, device stored: StoredDevice, channel: Int?,
                      started: ContinuousClock.Instant) async throws(ControlError) -> CommandResult {
        let (device, params) = try await powerParams(action, device: stored, channel: channel)
        return try await send(params, to: device, started: started)
    }

    /// Sends raw params (`{"switch":"on"}`); the endpoint is the first key unless given.
    package func send(_ params: JSONObject, to query: String, endpoint: String? = nil) async throws(ControlError) -> CommandResult {
        let started = ContinuousClock.now
        let device = try await device(query)
        return try await send(params, to: device, endpoint: endpoint, started: started)
    }

    /// Sends to an already resolved device (the router's LAN leg).
    /// `timeout` bounds the wait for the device's reply (default: the client's). Reply times and
    /// failures are recorded in the device's `lanHealth`.
    /// `relookup`: when the remembered address fails, ask mDNS where the device is now and try
    /// once more (off when another route is waiting: `refreshAddress` can run in the background).
    package func send(_ params: JSONObject, to device: StoredDevice, endpoint explicit: String? = nil,
                     started: ContinuousClock.Instant, timeout: Duration? = nil, relookup: Bool = true,
                     onWire: (@Sendable () -> Void)? = nil,
                     proceed: (@Sendable () -> Bool)? = nil) async throws(ControlError) -> CommandResult {
        do {
            return try await sendOnce(params, to: device, endpoint: explicit, started: started, timeout: timeout,
                                      relookup: relookup, onWire: onWire, proceed: proceed)
        } catch {
            if case .lan(let e) = error, e.isUnreachable { noteFailure(device.id) }
            throw error
        }
    }

    private func sendOnce(_ params: JSONObject, to device: StoredDevice, endpoint explicit: String?,
                          started: ContinuousClock.Instant, timeout: Duration?,
                          relookup: Bool, onWire: (@Sendable () -> Void)?,
                          proceed: (@Sendable () -> Bool)?) async throws(ControlError) -> CommandResult {
        guard let endpoint = explicit ?? CommandShape.endpoint(for: params, type: device.type) else {
            throw .invalidRequest("empty params: nothing to send")
        }
        // Refused before any lookup or connection (the client refuses it too).
        guard ZeroconfEndpoint.isValid(endpoint) else { throw .lan(.invalidEndpoint(endpoint)) }
        var device = device
        // An address from an announcement is tried, and stored only once the device answered there.
        var resolvedFresh = device.addressUnconfirmed
        if device.host == nil || device.port == nil {
            guard let announced = try await lookup(device.id) else { throw .lan(.noAddress(deviceID: device.id)) }
            device.adopt(announced)
            if announced.encrypted && device.devicekey == nil { throw .lan(.deviceKeyMissing(deviceID: device.id)) }
            resolvedFresh = true
        }
        try await verifyAddress(&device, timeout: timeout)
        var reply: LANReply
        do {
            reply = try await client.send(endpoint, params, to: target(device), timeout: timeout, onWire: onWire,
                                          proceed: proceed)
        } catch let error where relookup && error.isUnreachable && !resolvedFresh && !device.hostConfigured {
            reply = try await resendAfterLookup(error, endpoint, params, device: &device, timeout: timeout)
            resolvedFresh = true
        } catch {
            throw Self.controlError(error, for: device)
        }
        return finish(reply, params, device: device, resolvedFresh: resolvedFresh, started: started)
    }

    /// The remembered address failed with `error`: asks mDNS where the device is now, and tries
    /// once more there (after the proof).
    private func resendAfterLookup(_ error: LANError, _ endpoint: String, _ params: JSONObject, device: inout StoredDevice,
                                   timeout: Duration?) async throws(ControlError) -> LANReply {
        guard let announced = try? await lookup(device.id) else { throw .lan(error) }
        // A silent device at an unchanged address would only make the caller wait twice.
        if case .lanTimeout = error, announced.host == device.host, announced.port == device.port { throw .lan(error) }
        device.adopt(announced)
        try await verifyAddress(&device, timeout: timeout)
        do { return try await client.send(endpoint, params, to: target(device), timeout: timeout) } catch {
            throw Self.controlError(error, for: device)
        }
    }

    /// A command's reply recorded (state, seq, reply time, the proven address) and reported.
    private func finish(_ reply: LANReply, _ params: JSONObject, device: StoredDevice, resolvedFresh: Bool,
                        started: ContinuousClock.Instant) -> CommandResult {
        // Without a key nothing can be proven: a DIY device's answer at a fresh address is its word.
        let answeredThere = device.devicekey == nil && resolvedFresh && !device.hostConfigured
        let state = reply.state ?? (device.lastState ?? [:]).applying(params)
        // A verified address is stored (a no-op when it is the stored one already).
        record(device, state: state, seq: reply.response.seq, addressChanged: device.addressVerified || answeredThere,
               replyTime: reply.elapsed)
        return CommandResult(deviceID: device.id, route: .lan, elapsed: ContinuousClock.now - started, state: state,
                             seq: reply.response.seq, type: device.type, name: device.name)
    }

    /// After the blocking path's attempt at the stored address failed with `failure`: what
    /// `send` does after its own first attempt failed (a fresh mDNS lookup and one more try where
    /// the device is now, for a remembered address), else the failure.
    /// An address that failed the proof (`addressUnproven`): the other services the avahi-daemon
    /// knows for the id prove themselves in turn, as `verifyAddress` tries them after the stored one.
    package func sendElsewhere(after failure: LANError, _ params: JSONObject, to stored: StoredDevice,
                               started: ContinuousClock.Instant, timeout: Duration?) async throws(ControlError) -> CommandResult {
        guard let endpoint = CommandShape.endpoint(for: params, type: stored.type) else {
            throw Self.controlError(failure, for: stored)
        }
        var device = stored
        if case .addressUnproven = failure {
            try await verifyAddress(&device, timeout: timeout, storedFailed: failure)
            let reply: LANReply
            do { reply = try await client.send(endpoint, params, to: target(device), timeout: timeout) } catch {
                throw Self.controlError(error, for: device)
            }
            return finish(reply, params, device: device, resolvedFresh: false, started: started)
        }
        guard failure.isUnreachable, !stored.hostConfigured else { throw Self.controlError(failure, for: stored) }
        let reply = try await resendAfterLookup(failure, endpoint, params, device: &device, timeout: timeout)
        return finish(reply, params, device: device, resolvedFresh: true, started: started)
    }

    /// Before a command goes to an address not yet verified for a device with a key, the device
    /// proves itself there (`ZeroconfClient.learn`: its `info` reply carries state encrypted with
    /// its key that names it): one extra round trip, on first contact only. The other services
    /// announcing the id are tried in turn, so a neighbour replaying the device's announcement
    /// cannot take its place. A device without a key cannot prove anything: when several services
    /// claim it, none is used (`addressContested`). `Options.trustAddress` skips all of this.
    /// Sets `device.addressVerified` with the address that proved itself; throws when none could.
    /// `storedFailed`: the stored address failed the proof already (the blocking path asked it):
    /// only the other claimants are tried.
    private func verifyAddress(_ device: inout StoredDevice, timeout: Duration?,
                               storedFailed: LANError? = nil) async throws(ControlError) {
        guard !device.addressVerified, !options.trustAddress, let host = device.host else { return }
        let port = device.port ?? LANProtocol.port
        guard device.devicekey != nil else {
            guard device.announcedRivals.isEmpty else {
                let addresses = ["\(host):\(port)"] + device.announcedRivals.map(\.address)
                throw .lan(.addressContested(deviceID: device.id, addresses: addresses))
            }
            return
        }
        var candidates: [(host: String, port: Int)] = [(host, port)] + device.announcedRivals.map { ($0.host, $0.port) }
        // A remembered address where something answers but cannot prove it is the device: the
        // services the daemon knows for the id are asked for once. A configured address is the
        // only one there is.
        var mayAskCache = !device.hostConfigured
        var tried: Set<String> = []
        var firstError: LANError? = nil
        if let storedFailed {
            candidates.removeFirst()
            tried.insert("\(host):\(port)")
            firstError = storedFailed
        }
        while true {
            if candidates.isEmpty, mayAskCache {
                mayAskCache = false
                if let announced = try? await directory.lookup(device.id, cacheOnly: true, everySource: true) {
                    candidates = ([announced.source] + announced.rivals).map { (host: $0.host, port: $0.port) }
                        .filter { !tried.contains("\($0.host):\($0.port)") }
                }
            }
            guard !candidates.isEmpty else { break }
            let candidate = candidates.removeFirst()
            tried.insert("\(candidate.host):\(candidate.port)")
            var there = target(device)
            there.host = candidate.host
            there.port = candidate.port
            do {
                _ = try await client.learn(there, timeout: timeout ?? options.zeroconf.timeout)
                device.host = candidate.host
                device.port = candidate.port
                device.addressVerified = true
                return
            } catch {
                if firstError == nil { firstError = error }
                // Nothing answered there: the device is away, not impersonated. The caller's own
                // fallbacks (a fresh lookup, the cloud) take it from here, without a look at every
                // service in the cache first.
                if error.isUnreachable { mayAskCache = false }
            }
        }
        throw Self.controlError(firstError ?? .noAddress(deviceID: device.id), for: device)
    }

    /// The current state: the device's latest mDNS announcement, or a query over HTTP.
    package func state(of query: String) async throws(ControlError) -> StateResult {
        let started = ContinuousClock.now
        let device = try await device(query)
        var mdnsError: ControlError? = nil
        do throws(ControlError) {
            if let found = try await lookup(device.id) {
                if let state = found.state {
                    record(device, state: state, seq: found.seq, addressChanged: false)
                    return StateResult(deviceID: device.id, route: .lan, source: .mdns, state: state, seq: found.seq,
                                       host: found.host, port: found.port, elapsed: ContinuousClock.now - started)
                }
                if found.encrypted && device.devicekey == nil { throw ControlError.lan(.deviceKeyMissing(deviceID: device.id)) }
                if let why = found.stateError { throw ControlError.lan(.decryptionFailed(deviceID: device.id, reason: why)) }
            }
        } catch {
            guard case .mdns = error else { throw error }
            mdnsError = error
        }
        // Not announced (or no avahi-daemon): ask the device itself at its known address. `info` is
        // a harmless query; firmware without it still reports its state when the LED is set to its
        // current value (`sledonline`).
        guard device.host != nil else { throw mdnsError ?? .lan(.noAddress(deviceID: device.id)) }
        if device.devicekey != nil, !device.addressVerified, !options.trustAddress {
            // First contact: the `info` that proves the address is the query.
            do {
                let learnt = try await client.learn(target(device), timeout: options.zeroconf.timeout)
                let state = learnt.state ?? [:]
                record(device, state: state, seq: learnt.seq, addressChanged: true)
                return StateResult(deviceID: device.id, route: .lan, source: .http, state: state, seq: learnt.seq,
                                   host: device.host, port: device.port, elapsed: ContinuousClock.now - started)
            } catch {
                throw Self.controlError(error, for: device)
            }
        }
        var queries: [(String, JSONObject)] = [("info", [:])]
        if device.devicekey != nil, let led = device.lastState?["sledOnline"] { queries.append(("sledonline", ["sledOnline": led])) }
        var lastError: LANError? = nil
        for (endpoint, params) in queries {
            do {
                let reply = try await client.send(endpoint, params, to: target(device))
                guard let state = reply.state else { continue }
                record(device, state: state, seq: reply.response.seq, addressChanged: false)
                return StateResult(deviceID: device.id, route: .lan, source: .http, state: state,
                                   seq: reply.response.seq, host: device.host, port: device.port,
                                   elapsed: ContinuousClock.now - started)
            } catch .lanError(let code, _) {
                lastError = .lanError(code: code, deviceID: device.id)
            } catch {
                throw .lan(error)
            }
        }
        if let state = device.lastState, !state.isEmpty {
            // The device answers but reports no state: the last one known, marked as such.
            return StateResult(deviceID: device.id, route: .lan, source: .store, state: state, seq: device.lastSeq,
                               host: device.host, port: device.port, elapsed: ContinuousClock.now - started)
        }
        throw lastError.map(ControlError.lan) ?? .stateUnknown(deviceID: device.id)
    }

    /// A device's answer in terms of keys where that is what it means: 401 to a plain request is a
    /// missing key, 400 to an encrypted one a wrong key.
    static func controlError(_ error: LANError, for device: StoredDevice) -> ControlError {
        switch error {
        case .lanError(401, let id) where device.devicekey == nil: return .lan(.deviceKeyMissing(deviceID: id))
        case .lanError(400, let id) where device.devicekey != nil: return .lan(.keyRejected(deviceID: id))
        default: return .lan(error)
        }
    }

    /// Asks mDNS where the device is now (after its remembered address failed), and stores the
    /// new address once the device proved itself there (without a key: answered there).
    package func refreshAddress(_ deviceID: String) async {
        guard let found = try? await lookup(deviceID) else { return }
        remember([found])
        guard let stored = try? directory.stored(deviceID), !stored.hostConfigured,
              stored.host != found.host || stored.port != found.port else { return }
        var device = stored
        device.adopt(found)
        let confirmed: Bool
        if device.devicekey != nil {
            confirmed = (try? await verifyAddress(&device, timeout: nil)) != nil && device.addressVerified
        } else {
            let answered = (try? await client.check("info", [:], to: target(device))) != nil
            confirmed = found.rivals.isEmpty && answered
        }
        if confirmed { record(device, state: nil, seq: nil, addressChanged: true) }
    }

    /// Keeps what the device's `info` answer taught (`StoredDevice.merge`'s rule: the shape only
    /// where the store did not know it).
    func keep(_ learnt: LearntDevice, of device: StoredDevice) {
        var facts = DeviceFacts(id: device.id, source: .device)
        facts.host = device.host
        facts.port = device.port
        facts.answer = learnt
        directory.learn(facts)
    }

    /// The avahi-daemon's cache did not know the device just now.
    package func noteCacheMiss(_ deviceID: String) {
        directory.record(deviceID) { $0.lanHealth.lastCacheMiss = Date() }
    }

    /// One more consecutive LAN failure for the device (three mark its LAN down).
    /// The address stops being verified: whatever answers there next proves itself first.
    package func noteFailure(_ deviceID: String) {
        directory.record(deviceID) { d in
            d.lanHealth.failed()
            d.addressVerified = false
        }
    }

    /// Whether the device answers at its address within `timeout`: an `info` request, which a
    /// device with a key must answer with its state encrypted with that key and naming it (the
    /// proof of `ZeroconfClient.learn`), and a DIY device with any reply of the protocol (an error
    /// code included). A port that accepts connections but never answers, or something else
    /// answering there, does not count. Used to bring a LAN marked down back into service; the
    /// answer also proves the address.
    package func probe(_ device: StoredDevice, timeout: Duration = .milliseconds(300)) async -> Bool {
        guard device.host != nil else { return false }
        let there = target(device)
        let client = self.client
        // Bounded as a whole: a request queued behind earlier ones to a silent device gives up
        // its place when the time is up (`ZeroconfClient` leaves the queue on cancellation).
        let answered = await TimeLimit.run(until: .now + timeout, otherwise: false) {
            if there.devicekey != nil { return (try? await client.learn(there, timeout: timeout)) != nil }
            do {
                _ = try await client.check("info", [:], to: there, timeout: timeout)
                return true
            } catch LANError.lanError {
                return true
            } catch {
                return false
            }
        }
        directory.record(device.id) { d in
            d.lanHealth.lastProbe = Date()
            guard answered else { return }
            d.lanHealth.failures = 0
            if device.devicekey != nil, d.host == device.host, d.port == device.port { d.addressVerified = true }
        }
        return answered
    }

    func target(_ device: StoredDevice) -> LANTarget {
        LANTarget(deviceID: device.id, host: device.host ?? "", port: device.port ?? LANProtocol.port, devicekey: device.devicekey)
    }

    /// Keeps the store's idea of the device current; written only when something material
    /// changed (`DeviceDirectory.record`), so a plain on/off costs no disk write.
    /// Asks the device for its `info` at its known address and keeps what it learnt (the shape
    /// only where the store did not know it).
    package func ask(_ device: StoredDevice) async -> LearntDevice? {
        guard device.host != nil else { return nil }
        let timeout = device.lanHealth.timeout(floor: .milliseconds(300), ceiling: options.zeroconf.timeout)
        guard let learnt = try? await client.learn(target(device), timeout: timeout) else { return nil }
        keep(learnt, of: device)
        return learnt
    }

    func record(_ device: StoredDevice, state: JSONObject?, seq: Int?, addressChanged: Bool,
                        replyTime: Duration? = nil) {
        let now = Date()
        directory.record(device.id) { d in
            if let replyTime { d.lanHealth.succeeded(after: replyTime) }
            if addressChanged {
                if !d.hostConfigured {
                    if d.host != device.host || d.port != device.port { d.lanHealth.failures = 0 }
                    d.host = device.host
                    d.port = device.port
                }
                if d.host == device.host && d.port == device.port { d.addressVerified = true }
            }
            if let state, d.lastState != state { d.lastState = state }
            if let seq { d.lastSeq = seq }
            d.lastSeen = now
        }
    }
}
