extension Duration {
    /// The duration in milliseconds, with its fraction.
    package var inMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }

    /// The duration in seconds, with its fraction.
    package var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration in whole milliseconds (rounded down).
    package var wholeMilliseconds: Int {
        Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    }

    /// The duration in whole nanoseconds, at least one millisecond (for NIO timeouts).
    package var nanosecondsAtLeastOneMillisecond: Int64 {
        max(1_000_000, components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
