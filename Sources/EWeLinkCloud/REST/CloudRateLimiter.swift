import Synchronization

/// The cloud's calling rules, enforced on our side so the user's IP is never banned: at least
/// 500 ms between calls to the same interface, and at most 300 calls to it in 5 minutes. One
/// limiter is shared by every caller of the process.
public final class CloudRateLimiter: Sendable {
    public static let shared = CloudRateLimiter()

    public let minimumSpacing: Duration
    public let window: Duration
    public let maxCallsPerWindow: Int
    private let calls = Mutex<[String: [ContinuousClock.Instant]]>([:])

    /// The spacing carries a margin over the documented 500 ms: the cloud measures arrival times,
    /// and two requests sent exactly 500 ms apart can arrive a little closer.
    public init(minimumSpacing: Duration = .milliseconds(550), window: Duration = .seconds(300),
                maxCallsPerWindow: Int = 300) {
        self.minimumSpacing = minimumSpacing
        self.window = window
        self.maxCallsPerWindow = maxCallsPerWindow
    }

    /// Reserves a slot for a call to `interface`, waiting as long as needed (or throwing
    /// `.rateLimited` at once when `failFast`).
    public func acquire(_ interface: String, failFast: Bool = false) async throws(CloudError) {
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
                let ms = Int(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000) + 1
                throw .rateLimited(path: interface, retryAfterMs: ms)
            }
            try? await Task.sleep(for: wait)
        }
    }
}
