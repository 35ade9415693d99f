import EWeLinkCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The cloud's calling rules, enforced on our side so the user's IP is never banned: at least
/// 500 ms between calls to the same interface, and at most 300 calls to it in 5 minutes. One
/// limiter is shared by every caller of the process.
public final class CloudRateLimiter: Sendable {
    /// The limiter of every client that is given none: one per process.
    public static let shared = CloudRateLimiter()

    /// The least time between two calls to the same interface.
    public let minimumSpacing: Duration
    /// The window `maxCallsPerWindow` counts over.
    public let window: Duration
    /// The most calls to one interface within `window`.
    public let maxCallsPerWindow: Int
    private let calls = Mutex<[String: [ContinuousClock.Instant]]>([:])
    /// Interfaces with a call of this process under way: the next waits for its answer, since the
    /// spacing counts from there (two calls in flight at once could reach the cloud closer
    /// together than the spacing, however they were sent).
    private let inFlight = Mutex<Set<String>>([])
    /// When set, calls are also recorded in this file so that separate processes (one-shot CLI
    /// runs from a script) keep to the same limits together.
    private let ledger: String?

    /// A limiter whose calls are shared through a file (`$EWELINK_HOME/cloud-calls.json`).
    public convenience init(sharedThrough path: String) {
        self.init(ledger: path)
    }

    /// The spacing carries a margin over the documented 500 ms: the cloud measures arrival times,
    /// and two requests sent exactly 500 ms apart can arrive a little closer.
    public init(minimumSpacing: Duration = .milliseconds(550), window: Duration = .seconds(300),
                maxCallsPerWindow: Int = 300, ledger: String? = nil) {
        self.ledger = ledger
        self.minimumSpacing = minimumSpacing
        self.window = window
        self.maxCallsPerWindow = maxCallsPerWindow
    }

    /// The spacing in whole milliseconds (a retry hint).
    package var spacingMilliseconds: Int {
        minimumSpacing.wholeMilliseconds
    }

    /// Marks the call to `interface` answered. The spacing counts from here: the cloud sees a
    /// request arrive at the latest when its answer is back, so the next one can never arrive
    /// less than the spacing after it, whatever the network did to the first.
    package func finished(_ interface: String) {
        defer { _ = inFlight.withLock { $0.remove(interface) } }
        if let ledger {
            Self.withLedger(ledger) { calls in
                if var list = calls[interface], !list.isEmpty {
                    list[list.count - 1] = Date().timeIntervalSince1970
                    calls[interface] = list
                }
            }
            return
        }
        let now = ContinuousClock.now
        calls.withLock { all in
            if var list = all[interface], !list.isEmpty {
                list[list.count - 1] = now
                all[interface] = list
            }
        }
    }

    /// Reserves a slot for a call to `interface`, waiting as long as needed (or throwing
    /// `.rateLimited` at once when `failFast`).
    package func acquire(_ interface: String, failFast: Bool = false) async throws(CloudError) {
        while !inFlight.withLock({ $0.insert(interface).inserted }) {
            if failFast { throw .rateLimited(path: interface, retryAfterMs: spacingMilliseconds) }
            try? await Task.sleep(for: .milliseconds(10))
        }
        do throws(CloudError) {
            try await reserve(interface, failFast: failFast)
        } catch {
            _ = inFlight.withLock { $0.remove(interface) }
            throw error
        }
    }

    private func reserve(_ interface: String, failFast: Bool) async throws(CloudError) {
        if let ledger {
            try await acquireShared(interface, ledger: ledger, failFast: failFast)
            return
        }
        while true {
            let now = ContinuousClock.now
            let wait: Duration? = calls.withLock { all in
                var list = all[interface, default: []].filter { now - $0 < window }
                var earliest = now
                if let last = list.last { earliest = max(earliest, last + minimumSpacing) }
                if list.count >= maxCallsPerWindow, let first = list.first { earliest = max(earliest, first + window) }
                if earliest <= now {
                    list.append(now)
                    all[interface] = list
                    return nil
                }
                all[interface] = list
                return earliest - now
            }
            guard let wait else { return }
            if failFast {
                throw .rateLimited(path: interface, retryAfterMs: wait.wholeMilliseconds + 1)
            }
            try? await Task.sleep(for: wait)
        }
    }
}

extension CloudRateLimiter {
    /// The same rules over wall-clock times kept in the ledger file, under an exclusive lock.
    private func acquireShared(_ interface: String, ledger: String, failFast: Bool) async throws(CloudError) {
        let spacing = minimumSpacing.inSeconds
        let windowSeconds = Double(window.components.seconds)
        while true {
            let wait: Double? = Self.withLedger(ledger) { calls in
                let now = Date().timeIntervalSince1970
                var list = (calls[interface] ?? []).filter { now - $0 < windowSeconds }
                var earliest = now
                if let last = list.last { earliest = max(earliest, last + spacing) }
                if list.count >= maxCallsPerWindow, let first = list.first { earliest = max(earliest, first + windowSeconds) }
                if earliest <= now { list.append(now) }
                calls[interface] = list
                return earliest <= now ? nil : earliest - now
            }
            guard let wait else { return }
            if failFast { throw .rateLimited(path: interface, retryAfterMs: Int(wait * 1000) + 1) }
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1))
        }
    }

    /// Runs `body` on the ledger's contents with the file locked; an unreadable ledger starts empty
    /// (it only holds timestamps).
    @discardableResult
    private static func withLedger<T>(_ path: String, _ body: (inout [String: [Double]]) -> T) -> T {
        // Never through a planted link (see `AtomicFile.openLock`).
        let fd = (try? AtomicFile.openLock(path + ".lock")) ?? -1
        if fd >= 0 { flock(fd, LOCK_EX) }
        defer { if fd >= 0 { flock(fd, LOCK_UN); close(fd) } }
        var calls: [String: [Double]] = [:]
        if let data = try? AtomicFile.readPrivate(path), let o = try? JSONValue.parse(data).objectValue {
            for (k, v) in o { calls[k] = v.arrayValue?.compactMap(\.doubleValue) ?? [] }
        }
        let result = body(&calls)
        let doc = JSONObject(calls.filter { !$0.value.isEmpty }.map { ($0.key, JSONValue.array($0.value.map(JSONValue.double))) })
        try? AtomicFile.write(JSONValue.object(doc).serializedBytes, to: path)
        return result
    }
}
