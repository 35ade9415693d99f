import EWeLinkLAN
import Foundation

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

    public static let sampleCount = 8
    public static let failuresBeforeDown = 3

    public init() {}

    /// Down after three consecutive failures.
    public var isDown: Bool { failures >= Self.failuresBeforeDown }
    var isEmpty: Bool { replyMs.isEmpty && failures == 0 && lastProbe == nil && lastCacheMiss == nil }

    public mutating func succeeded(after elapsed: Duration) {
        replyMs.append((elapsed.inMilliseconds * 1000).rounded() / 1000)
        if replyMs.count > Self.sampleCount { replyMs.removeFirst(replyMs.count - Self.sampleCount) }
        failures = 0
    }

    public mutating func failed() { failures += 1 }

    /// The slowest recent reply, or nil without samples.
    public var slowestMs: Double? { replyMs.max() }

    /// How long to wait for this device's reply before giving up on the LAN: four times its slowest
    /// recent reply plus 100 ms of slack, never under `floor` nor over `ceiling`; `ceiling` itself
    /// while nothing has been learnt yet.
    public func timeout(floor: Duration = .milliseconds(300), ceiling: Duration = .seconds(3)) -> Duration {
        guard let slowest = slowestMs else { return ceiling }
        let learnt = Duration.microseconds(Int64((slowest * 4 + 100) * 1000))
        return min(max(learnt, floor), ceiling)
    }

    /// How long the LAN gets alone before the same command also goes to the cloud: twice the
    /// slowest recent reply plus 20 ms (a healthy LAN never triggers it), 300 ms while nothing has
    /// been learnt, never over `limit`.
    public func hedgeDelay(limit: Duration) -> Duration {
        let learnt = slowestMs.map { Duration.microseconds(Int64(($0 * 2 + 20) * 1000)) } ?? .milliseconds(300)
        return min(learnt, limit)
    }

    var json: JSONObject {
        var o: JSONObject = ["replyMs": .array(replyMs.map(JSONValue.double))]
        if failures > 0 { o["failures"] = .int(failures) }
        if let lastProbe { o["lastProbe"] = .string(lastProbe.formatted(StoredDevice.dateFormat)) }
        if let lastCacheMiss { o["lastCacheMiss"] = .string(lastCacheMiss.formatted(StoredDevice.dateFormat)) }
        return o
    }

    init(json o: JSONObject) {
        replyMs = (o["replyMs"]?.arrayValue ?? []).compactMap { $0.doubleValue }.suffix(Self.sampleCount).map { $0 }
        failures = max(0, o["failures"]?.intValue ?? 0)
        lastProbe = o["lastProbe"]?.stringValue.flatMap { try? Date($0, strategy: StoredDevice.dateFormat) }
        lastCacheMiss = o["lastCacheMiss"]?.stringValue.flatMap { try? Date($0, strategy: StoredDevice.dateFormat) }
    }
}
