/// What a user a device is shared with may do with its timers; combine with `|`.
public struct SharePermit: OptionSet, Sendable, Hashable {
    /// The sum of the permission bits, as the cloud's `permit` carries it.
    public let rawValue: Int
    /// The permissions whose bits `rawValue` sets.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The user may create timers.
    public static let createTimer = SharePermit(rawValue: 1)
    /// The user may edit timers.
    public static let editTimer = SharePermit(rawValue: 2)
    /// The user may delete timers.
    public static let deleteTimer = SharePermit(rawValue: 4)
    /// The user may turn timers on and off.
    public static let enableTimer = SharePermit(rawValue: 8)
    /// Every timer permission.
    public static let allTimers: SharePermit = [.createTimer, .editTimer, .deleteTimer, .enableTimer]
}
