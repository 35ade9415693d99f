import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a device has been answering on the LAN: its recent reply times (which set the adaptive
/// timeout and the hedge delay) and its consecutive failures (three mark the LAN down, as
/// SonoffLAN does, until an announcement or a probe brings it back). Kept in the store, so a
/// one-shot process learns from the ones before it.
public struct LANHealth: Sendable, Equatable {
    /// Reply times of the last successful exchanges, in milliseconds, newest last.
    public var replyMs: [Double] = []
    /// Failures (refused, silent, reset) since the last success.
    public var failures = 0
    /// When the LAN was last probed while marked down.
    public var lastProbe: Date?
    /// When the avahi-daemon's cache last did not know the device (it had no address then).
    public var lastCacheMiss: Date?

    /// How many recent reply times are kept.
    public static let sampleCount = 8
    /// Consecutive failures that mark the LAN down.
    public static let failuresBeforeDown = 3

    /// No replies and no failures yet.
    public init() {}

    /// Down after three consecutive failures.
    public var isDown: Bool { failures >= Self.failuresBeforeDown }
    var isEmpty: Bool { replyMs.isEmpty && failures == 0 && lastProbe == nil && lastCacheMiss == nil }

    /// Records a reply that took `elapsed` (the failures start again from none).
    package mutating func succeeded(after elapsed: Duration) {
        replyMs.append((elapsed.inMilliseconds * 1000).rounded() / 1000)
        if replyMs.count > Self.sampleCount { replyMs.removeFirst(replyMs.count - Self.sampleCount) }
        failures = 0
    }

    /// Records one more consecutive failure.
    package mutating func failed() { failures += 1 }

    /// The reply time the LAN wait is built on, or nil without samples: a high percentile
    /// (`waitPercentile`) of the recent replies, each counting `decay` times as much as the next
    /// newer one. A device that is slow most of the time keeps its slow replies at the top; one
    /// slow reply among fast ones sets the wait only while it is among the newest (two more fast
    /// replies outweigh it), not for the whole window of `sampleCount` replies.
    public var typicalSlowMs: Double? {
        guard !replyMs.isEmpty else { return nil }
        var weight = 1.0
        // Newest first: the newest reply weighs 1, the one before `decay`, and so on.
        var weighted: [(ms: Double, weight: Double)] = []
        for ms in replyMs.reversed() {
            weighted.append((ms, weight))
            weight *= Self.decay
        }
        let total = weighted.reduce(0) { $0 + $1.weight }
        var below = 0.0
        for sample in weighted.sorted(by: { $0.ms < $1.ms }) {
            below += sample.weight
            // A little tolerance, so that a sum of weights equal to the share counts as reaching it.
            if below >= total * Self.waitPercentile - 1e-9 { return sample.ms }
        }
        return weighted.map(\.ms).max()
    }

    /// Share of the (decayed) recent replies the wait must cover.
    static let waitPercentile = 0.8
    /// How much a reply counts relative to the next newer one.
    static let decay = 0.5

    /// How long to wait for this device's reply before giving up on the LAN: four times its
    /// typical slow reply (`typicalSlowMs`) plus 100 ms of slack, never under `floor` nor over
    /// `ceiling`; `ceiling` itself while nothing has been learnt yet.
    public func timeout(floor: Duration = .milliseconds(300), ceiling: Duration = .seconds(3)) -> Duration {
        guard let slow = typicalSlowMs else { return ceiling }
        let learnt = Duration.microseconds(Int64((slow * 4 + 100) * 1000))
        return min(max(learnt, floor), ceiling)
    }

    /// How long the LAN gets alone before the same command also goes to the cloud: twice the
    /// typical slow reply plus 20 ms (a healthy LAN never triggers it), 300 ms while nothing has
    /// been learnt, never over `limit`.
    public func hedgeDelay(limit: Duration) -> Duration {
        let learnt = typicalSlowMs.map { Duration.microseconds(Int64(($0 * 2 + 20) * 1000)) } ?? .milliseconds(300)
        return min(learnt, limit)
    }

    var json: JSONObject {
        var o: JSONObject = ["replyMs": .array(replyMs.map(JSONValue.double))]
        if failures > 0 { o["failures"] = .int(failures) }
        if let lastProbe { o["lastProbe"] = .string(StoreTimestamp.format(lastProbe)) }
        if let lastCacheMiss { o["lastCacheMiss"] = .string(StoreTimestamp.format(lastCacheMiss)) }
        return o
    }

    init(json o: JSONObject) {
        replyMs = (o["replyMs"]?.arrayValue ?? []).compactMap { $0.doubleValue }.suffix(Self.sampleCount).map { $0 }
        failures = max(0, o["failures"]?.intValue ?? 0)
        lastProbe = o["lastProbe"]?.stringValue.flatMap(StoreTimestamp.parse)
        lastCacheMiss = o["lastCacheMiss"]?.stringValue.flatMap(StoreTimestamp.parse)
    }
}
