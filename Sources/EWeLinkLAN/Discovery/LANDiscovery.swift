import Foundation
import Synchronization

/// Follows `_ewelink._tcp` through the avahi-daemon and turns Avahi's resolver events into device
/// events: eWeLink names only, one device across interfaces, duplicates and stale revisions
/// dropped, reboots (seq reset) accepted, state decrypted with the known keys.
public final class LANDiscovery: Sendable {
    /// Looks up the devicekey of a device id (nil: unknown or DIY).
    public typealias KeyLookup = @Sendable (String) -> String?

    public let events: AsyncStream<DiscoveryEvent>
    private let continuation: AsyncStream<DiscoveryEvent>.Continuation
    private let browser: ServiceBrowser
    private let tracker: Mutex<Tracker>

    /// Starts browsing.
    /// `cacheOnly`: report `.complete` once the daemon's cache is exhausted even when it held
    /// nothing (no waiting for the network's answers to a fresh query).
    public init(connection: AvahiConnection, interfaceIndex: Int32? = nil, keys: @escaping KeyLookup,
                cacheOnly: Bool = false, focus: String? = nil) throws {
        (events, continuation) = AsyncStream.makeStream(of: DiscoveryEvent.self, bufferingPolicy: .unbounded)
        browser = try ServiceBrowser(interfaceIndex: interfaceIndex, on: connection)
        var tracker = Tracker(keys: keys)
        tracker.cacheOnly = cacheOnly
        tracker.focus = focus?.lowercased()
        self.tracker = Mutex(tracker)
        let stream = browser.events
        Task { [weak self] in
            for await event in stream {
                guard let self else { return }
                for out in self.tracker.withLock({ $0.handle(event, now: Date()) }) { self.continuation.yield(out) }
            }
            self?.continuation.finish()
        }
    }

    public func stop() {
        browser.stop()
        continuation.finish()
    }

    deinit { browser.stop() }

    /// Feeds a state learnt from an HTTP reply into the same event path as the announcements: a
    /// reply carrying state N makes the following announcement of N redundant.
    public func ingest(_ update: LANUpdate) {
        for out in tracker.withLock({ $0.ingest(update, now: Date()) }) { continuation.yield(out) }
    }

    /// The devices known right now.
    public var devices: [DiscoveredDevice] { tracker.withLock { Array($0.devices.values) } }

    /// One-shot discovery: returns when every cached service is resolved (`.complete`), or when
    /// `timeout` passes; `complete` says which.
    public static func discover(connection: AvahiConnection, interfaceIndex: Int32? = nil, timeout: Duration,
                                keys: @escaping KeyLookup) async throws -> (devices: [DiscoveredDevice], complete: Bool) {
        let discovery = try LANDiscovery(connection: connection, interfaceIndex: interfaceIndex, keys: keys)
        defer { discovery.stop() }
        let complete = try await discovery.wait(timeout: timeout) { $0 == .complete }
        return (discovery.devices.sorted { $0.id < $1.id }, complete)
    }

    /// Finds one device by id (an instant when Avahi has it cached). `cacheOnly`: give up as soon
    /// as the daemon's cache is exhausted (a few milliseconds) instead of waiting for answers to
    /// a fresh query.
    public static func find(_ deviceID: String, connection: AvahiConnection, timeout: Duration,
                            keys: @escaping KeyLookup, cacheOnly: Bool = false) async throws -> DiscoveredDevice? {
        let discovery = try LANDiscovery(connection: connection, keys: keys, cacheOnly: cacheOnly, focus: deviceID)
        defer { discovery.stop() }
        _ = try await discovery.wait(timeout: timeout) { event in
            switch event {
            case .appeared(let d), .changed(let d): return d.id == deviceID
            case .complete: return true
            default: return false
            }
        }
        return discovery.devices.first { $0.id == deviceID }
    }

    /// Consumes events until `stop` says so (true) or the time is up (false). Ends the stream.
    func wait(timeout: Duration, until stop: @escaping @Sendable (DiscoveryEvent) -> Bool) async throws -> Bool {
        let stream = events
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await event in stream {
                    if case .failed(let error) = event { throw error }
                    if stop(event) { return true }
                }
                return false
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}

/// The bookkeeping behind `LANDiscovery` (pure, so the rules are easy to test).
struct Tracker {
    struct Last {
        var seq: Int
        var iv: String?
        var data: String
        var acceptedAt: Date
        /// The revision came with an HTTP reply; its announcement adds nothing.
        var fromHTTP = false
    }

    let keys: LANDiscovery.KeyLookup
    var devices: [String: DiscoveredDevice] = [:]
    var last: [String: Last] = [:]
    /// Interfaces on which each device's service is currently present.
    var presence: [String: Set<Int32>] = [:]
    /// Instance name → device id.
    var names: [String: String] = [:]
    var pending: Set<String> = []
    var cacheDone = false
    var completed = false
    var sawAny = false
    /// Complete at the end of the cache even when it was empty.
    var cacheOnly = false
    /// Looking for one device id: completion does not wait for the other services' resolves.
    var focus: String?

    init(keys: @escaping LANDiscovery.KeyLookup) { self.keys = keys }

    static func isEWeLinkName(_ name: String) -> Bool { name.lowercased().hasPrefix("ewelink_") }

    mutating func handle(_ event: BrowseEvent, now: Date) -> [DiscoveryEvent] {
        var out: [DiscoveryEvent] = []
        switch event {
        case .found(let name, let iface):
            if Self.isEWeLinkName(name) {
                pending.insert("\(iface)|\(name)")
                sawAny = true
            }
        case .resolved(let service):
            pending.remove("\(service.interfaceIndex)|\(service.name)")
            if Self.isEWeLinkName(service.name) { out += accept(service, now: now) }
        case .resolveFailed(let name, _):
            pending = pending.filter { !$0.hasSuffix("|\(name)") }
        case .removed(let name, let iface):
            pending.remove("\(iface)|\(name)")
            if let id = names[name] {
                presence[id]?.remove(iface)
                if presence[id]?.isEmpty == true {
                    presence[id] = nil
                    out.append(.disappeared(id: id))
                }
            }
        case .cacheExhausted:
            // A cold daemon cache is empty: then wait for ALL_FOR_NOW instead.
            if sawAny || cacheOnly { cacheDone = true }
        case .allForNow:
            cacheDone = true
        case .failed(let error):
            out.append(.failed(error))
        }
        let waitingFor = focus.map { id in pending.filter { $0.lowercased().hasSuffix("_" + id) } } ?? pending
        if cacheDone && waitingFor.isEmpty && !completed {
            completed = true
            out.append(.complete)
        }
        return out
    }

    mutating func ingest(_ update: LANUpdate, now: Date) -> [DiscoveryEvent] {
        // Only replies that carry the state are complete revisions; a bare ack waits for mDNS.
        guard var device = devices[update.deviceID], let seq = update.seq, let state = update.state else { return [] }
        if let l = last[update.deviceID], seq <= l.seq, !(seq <= 2 && l.seq > 2) { return [] }
        device.seq = seq
        device.state = state
        device.stateError = nil
        device.lastSeen = now
        devices[update.deviceID] = device
        last[update.deviceID] = Last(seq: seq, iv: nil, data: "", acceptedAt: now, fromHTTP: true)
        return [.changed(device)]
    }

    mutating func accept(_ service: ResolvedService, now: Date) -> [DiscoveryEvent] {
        let ann: TXTAnnouncement
        do { ann = try TXTAnnouncement(records: service.txtRecords) } catch {
            return [.invalid(name: service.name, reason: error.description)]
        }
        let id = ann.deviceID
        names[service.name] = id
        presence[id, default: []].insert(service.interfaceIndex)
        let previous = devices[id]
        let addressChanged = previous.map { $0.host != service.address || $0.port != Int(service.port) } ?? false
        if let l = last[id] {
            let duplicate = l.seq == ann.seq && ((l.iv == ann.iv && l.data == ann.data) || l.fromHTTP)
            let reboot = ann.seq < l.seq && (ann.seq <= 2 || now.timeIntervalSince(l.acceptedAt) >= 10)
            let stale = ann.seq < l.seq && !reboot
            if duplicate || stale {
                guard addressChanged, var d = previous else { return [] }
                d.host = service.address
                d.port = Int(service.port)
                d.lastSeen = now
                devices[id] = d
                return [.changed(d)]
            }
        }
        var state: JSONObject? = nil
        var stateError: String? = nil
        do {
            state = try ann.state(devicekey: ann.encrypted ? keys(id) : nil)
        } catch {
            stateError = error.description
        }
        let device = DiscoveredDevice(
            id: id, instanceName: service.name, type: ann.type, apiVersion: ann.apiVersion, host: service.address,
            port: Int(service.port), seq: ann.seq, encrypted: ann.encrypted, iv: ann.iv, state: state,
            stateError: stateError, warnings: ann.warnings, lastSeen: now)
        devices[id] = device
        last[id] = Last(seq: ann.seq, iv: ann.iv, data: ann.data, acceptedAt: now)
        return [previous == nil ? .appeared(device) : .changed(device)]
    }
}
