import Foundation
import Synchronization

/// Wrong bearer tokens by peer address: after `limit` failures within `window`, the address is
/// locked out for `lockout` (every request answered 429 without looking at its token), so guesses
/// run at a few a minute instead of thousands a second. Entries expire, so the table stays small.
final class FailedAttempts: Sendable {
    let limit: Int
    let window: Duration
    let lockout: Duration

    private struct Entry {
        var failures = 0
        var firstFailure: ContinuousClock.Instant
        var lockedUntil: ContinuousClock.Instant?
    }

    private let entries = Mutex<[String: Entry]>([:])

    init(limit: Int = 10, window: Duration = .seconds(60), lockout: Duration = .seconds(60)) {
        self.limit = limit
        self.window = window
        self.lockout = lockout
    }

    /// How long `address` is still locked out, or nil when it may try.
    func lockedFor(_ address: String, now: ContinuousClock.Instant = .now) -> Duration? {
        entries.withLock { all in
            guard let until = all[address]?.lockedUntil else { return nil }
            if until > now { return until - now }
            all[address] = nil
            return nil
        }
    }

    /// A wrong or missing token from `address`.
    func failed(_ address: String, now: ContinuousClock.Instant = .now) {
        let lockout = self.lockout, window = self.window, limit = self.limit
        entries.withLock { all in
            // Old entries go first: a neighbour cycling addresses cannot grow the table forever.
            if all.count > 4096 {
                all = all.filter { ($0.value.lockedUntil ?? $0.value.firstFailure + window) > now }
            }
            var e = all[address] ?? Entry(firstFailure: now)
            if now - e.firstFailure > window { e = Entry(firstFailure: now) }
            e.failures += 1
            if e.failures >= limit { e.lockedUntil = now + lockout }
            all[address] = e
        }
    }
}
