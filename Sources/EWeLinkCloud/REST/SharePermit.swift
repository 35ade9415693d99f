/// What a user a device is shared with may do with its timers; combine with `|`.
public struct SharePermit: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let createTimer = SharePermit(rawValue: 1)
    public static let editTimer = SharePermit(rawValue: 2)
    public static let deleteTimer = SharePermit(rawValue: 4)
    public static let enableTimer = SharePermit(rawValue: 8)
    public static let allTimers: SharePermit = [.createTimer, .editTimer, .deleteTimer, .enableTimer]
}
