/// The instant by which a whole LAN exchange must be over: every round trip of one command
/// together (an `info` before the command for a device of unknown shape, a retry at a new
/// address, the mDNS lookups in between), so a user's `--timeout 1` means one second, not one
/// second per request. Set around the command with `LANDeadline.$current.withValue`; each
/// request then waits at most its own timeout and at most until the deadline.
package struct LANDeadline: Sendable {
    /// When the exchange must be over.
    package let end: ContinuousClock.Instant
    /// The bound as given (what a timeout error reports).
    package let limit: Duration

    /// A deadline `limit` after `start`.
    package init(_ limit: Duration, from start: ContinuousClock.Instant = .now) {
        self.limit = limit
        end = start + limit
    }

    /// The deadline of the task's current command, if it set one.
    @TaskLocal package static var current: LANDeadline?

    /// `timeout` from now, shortened to what is left before the current deadline (zero once it
    /// has passed).
    package static func clamp(_ timeout: Duration) -> Duration {
        guard let current else { return timeout }
        return max(.zero, min(timeout, current.end - .now))
    }
}
