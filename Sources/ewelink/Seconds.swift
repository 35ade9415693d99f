import ArgumentParser

/// A duration option in seconds (`--timeout`, `--duration`). Every one is read through `parser`,
/// so each is finite, at least a millisecond and at most its ceiling before anything converts it:
/// a NaN, an infinity or 1e300 would otherwise trap in the conversion to `Duration`.
/// (ArgumentParser shows no default for an option read through a transform: the help text of each
/// option states its default itself, as ArgumentParser wrote it before.)
struct Seconds: Sendable, Equatable, CustomStringConvertible {
    let value: Double

    init(_ value: Double) { self.value = value }

    /// Exact to the millisecond; safe, as `parser` bounded the value.
    var duration: Duration { .milliseconds(Int((value * 1000).rounded())) }

    /// As `Double` prints it (`3.0`).
    var description: String { String(value) }

    /// Reads a number of seconds, refusing what is not finite, not positive or above `ceiling`
    /// (a parse error: one line, exit status 2).
    static func parser(max ceiling: Double) -> @Sendable (String) throws -> Seconds {
        { text in
            guard let seconds = parse(text, max: ceiling) else {
                throw ValidationError("expected a number of seconds from 0.001 to \(Int(ceiling))")
            }
            return seconds
        }
    }

    /// What `parser` accepts, without ArgumentParser: nil for what it refuses. The hot front
    /// (`HotFront`) reads `--timeout` through this, so both accept exactly the same text.
    static func parse(_ text: String, max ceiling: Double) -> Seconds? {
        guard let value = Double(text), value.isFinite, value >= 0.001, value <= ceiling else { return nil }
        return Seconds(value)
    }

    /// The default `--timeout` of a device command (`DeviceCommandOptions`, `HotCommand`).
    static let lanDefault = Seconds(3)

    /// Ceilings: a LAN reply or a discovery, a firmware update, a watch.
    static let lanCeiling: Double = 600
    static let otaCeiling: Double = 3600
    static let watchCeiling: Double = 7 * 24 * 3600
}
