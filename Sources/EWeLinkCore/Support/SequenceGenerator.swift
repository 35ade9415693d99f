#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// The process-wide source of request `sequence` values: millisecond timestamps that are
/// strictly increasing even when two requests fall in the same millisecond.
package final class SequenceGenerator: Sendable {
    /// The one generator shared by every LAN and cloud request of this process.
    package static let shared = SequenceGenerator()

    private let last = Mutex<Int64>(0)
    private let clock: @Sendable () -> Int64

    /// A generator over another clock (tests).
    package init(clock: @escaping @Sendable () -> Int64 = SequenceGenerator.wallClockMilliseconds) {
        self.clock = clock
    }

    /// The next sequence number.
    package func next() -> Int64 {
        let now = clock()
        return last.withLock { last in
            last = max(now, last + 1)
            return last
        }
    }

    /// The next sequence as the decimal string the protocol carries.
    package func nextString() -> String { String(next()) }

    @Sendable package static func wallClockMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
