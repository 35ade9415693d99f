import Foundation

/// Latency samples and their percentiles (exact: samples are kept and sorted).
struct Samples {
    private(set) var values: [Double] = []  // milliseconds

    mutating func add(_ ms: Double) { values.append(ms) }
    mutating func add(_ d: Duration) { values.append(Self.ms(d)) }

    static func ms(_ d: Duration) -> Double {
        d.inMilliseconds
    }

    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Swift.max(0, Swift.min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[rank]
    }

    var count: Int { values.count }
    var p50: Double { percentile(50) }
    var p90: Double { percentile(90) }
    var p95: Double { percentile(95) }
    var p99: Double { percentile(99) }
    var max: Double { values.max() ?? .nan }
    var min: Double { values.min() ?? .nan }
}

func fmt(_ v: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", v) }
