/// A dotted firmware version, compared numerically (3.10.0 > 3.9.9).
public struct FirmwareVersion: Comparable, Sendable, CustomStringConvertible {
    /// The numbers between the dots, most significant first.
    public let parts: [Int]
    /// Parses `3.6.0`; nil when any part is not a non-negative number (`3.6.0b`, `3..1`).
    public init?(_ text: String) {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard !pieces.isEmpty, pieces.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        parts = pieces.map { $0! }
    }
    /// The version with its parts joined by dots, leading zeros dropped (`3.06` reads `3.6`).
    public var description: String { parts.map(String.init).joined(separator: ".") }
    /// Compares part by part; a missing part counts as 0, so `3.6` equals `3.6.0`.
    public static func < (a: FirmwareVersion, b: FirmwareVersion) -> Bool {
        for i in 0..<max(a.parts.count, b.parts.count) {
            let x = i < a.parts.count ? a.parts[i] : 0
            let y = i < b.parts.count ? b.parts[i] : 0
            if x != y { return x < y }
        }
        return false
    }
    /// Equal part by part, missing parts counting as 0.
    public static func == (a: FirmwareVersion, b: FirmwareVersion) -> Bool { !(a < b) && !(b < a) }
    /// The next patch version (3.5.0 → 3.5.1).
    public var nextPatch: FirmwareVersion {
        var p = parts
        while p.count < 3 { p.append(0) }
        p[p.count - 1] += 1
        return FirmwareVersion(p.map(String.init).joined(separator: "."))!
    }
}
