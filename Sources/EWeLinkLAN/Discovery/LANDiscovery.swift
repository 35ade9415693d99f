#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Follows `_ewelink._tcp` through the avahi-daemon and turns Avahi's resolver events into device
/// events: eWeLink names only, one device across interfaces, duplicates and stale revisions
/// dropped per announcing service, reboots (seq reset) accepted, state decrypted with the known
/// keys. An announcement for a device with a key counts only when it decrypts with that key (else
/// it is `.rejected`); several services claiming one id are reported (`.contested`).
public final class LANDiscovery: Sendable {
    /// Looks up the devicekey of a device id (nil: unknown or DIY).
    public typealias KeyLookup = @Sendable (String) -> String?
    /// Looks up the address (`host:port`) where a device last answered correctly (nil: none).
    public typealias AddressLookup = @Sendable (String) -> String?

    /// Every appearance, change, disappearance and refusal, in order; it ends after `stop()` or when the avahi-daemon goes away.
    public let events: AsyncStream<DiscoveryEvent>
    private let continuation: AsyncStream<DiscoveryEvent>.Continuation
    private let browser: ServiceBrowser
    private let tracker: Mutex<Tracker>

    /// Starts browsing.
    /// `cacheOnly`: report `.complete` once the daemon's cache is exhausted even when it held
    /// nothing (no waiting for the network's answers to a fresh query).
    /// `trustedAddress`: where each device last answered correctly; a service there is preferred
    /// when several claim one id.
    public init(connection: AvahiConnection, interfaceIndex: Int32? = nil, keys: @escaping KeyLookup,
                trustedAddress: @escaping AddressLookup = { _ in nil },
                cacheOnly: Bool = false, focus: String? = nil) throws {
        (events, continuation) = AsyncStream.makeStream(of: DiscoveryEvent.self, bufferingPolicy: .unbounded)
        browser = try ServiceBrowser(interfaceIndex: interfaceIndex, on: connection)
        var tracker = Tracker(keys: keys, trustedAddress: trustedAddress)
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

    /// Stops browsing and ends `events`. Idempotent.
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

    /// The announcements rejected so far (latest per service), oldest first.
    public var rejected: [RejectedAnnouncement] {
        tracker.withLock { Array($0.rejected.values) }.sorted { $0.time < $1.time }
    }

    /// One-shot discovery: returns when every cached service is resolved (`.complete`), or when
    /// `timeout` passes; `complete` says which.
    public static func discover(connection: AvahiConnection, interfaceIndex: Int32? = nil, timeout: Duration,
                                keys: @escaping KeyLookup) async throws -> (devices: [DiscoveredDevice], complete: Bool) {
        let report = try await survey(connection: connection, interfaceIndex: interfaceIndex, timeout: timeout, keys: keys)
        return (report.devices, report.complete)
    }

    /// One-shot discovery with what was rejected: returns when every cached service is resolved,
    /// or when `timeout` passes.
    public static func survey(connection: AvahiConnection, interfaceIndex: Int32? = nil, timeout: Duration,
                              keys: @escaping KeyLookup,
                              trustedAddress: @escaping AddressLookup = { _ in nil }) async throws -> DiscoveryReport {
        let discovery = try LANDiscovery(connection: connection, interfaceIndex: interfaceIndex, keys: keys,
                                         trustedAddress: trustedAddress)
        defer { discovery.stop() }
        let complete = try await discovery.wait(timeout: timeout) { $0 == .complete }
        return DiscoveryReport(devices: discovery.devices.sorted { $0.id < $1.id }, rejected: discovery.rejected,
                               complete: complete)
    }

    /// Finds one device by id (an instant when Avahi has it cached). `cacheOnly`: give up as soon
    /// as the daemon's cache is exhausted (a few milliseconds) instead of waiting for answers to
    /// a fresh query.
    public static func find(_ deviceID: String, connection: AvahiConnection, timeout: Duration,
                            keys: @escaping KeyLookup, cacheOnly: Bool = false) async throws -> DiscoveredDevice? {
        try await search(deviceID, connection: connection, timeout: timeout, keys: keys, cacheOnly: cacheOnly).device
    }

    /// Like `find`, and also says which announcements for the id were rejected (a wrong key, or a
    /// spoofer), so a caller can tell "not announced" from "announced, but not provably by it".
    /// `everySource`: wait for every service to be resolved rather than the first that claims the
    /// id, so the device comes with all its `rivals` (the candidates when an address fails to prove
    /// itself).
    public static func search(_ deviceID: String, connection: AvahiConnection, interfaceIndex: Int32? = nil,
                              timeout: Duration, keys: @escaping KeyLookup,
                              trustedAddress: @escaping AddressLookup = { _ in nil },
                              cacheOnly: Bool = false,
                              everySource: Bool = false) async throws -> (device: DiscoveredDevice?, rejected: [RejectedAnnouncement]) {
        let discovery = try LANDiscovery(connection: connection, interfaceIndex: interfaceIndex, keys: keys,
                                         trustedAddress: trustedAddress, cacheOnly: cacheOnly,
                                         focus: everySource ? nil : deviceID)
        defer { discovery.stop() }
        // Within the command's deadline, when it has one (`LANDeadline`).
        _ = try await discovery.wait(timeout: LANDeadline.clamp(timeout)) { event in
            switch event {
            case .appeared(let d), .changed(let d): return !everySource && d.id == deviceID
            case .complete: return true
            default: return false
            }
        }
        return (discovery.devices.first { $0.id == deviceID }, discovery.rejected.filter { $0.deviceID == deviceID })
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
