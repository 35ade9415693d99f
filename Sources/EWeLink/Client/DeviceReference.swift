/// A device as a caller names it: its id (`1000abcdef`) or its stored name (`"Kitchen"`,
/// case-insensitive). A string literal is one:
///
/// ```swift
/// try await client.turnOn("kitchen")
/// try await client.turnOff(DeviceReference("1000abcdef"))
/// ```
///
/// An id that is not in the store is looked up on the LAN (a DIY device needs no key).
public struct DeviceReference: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The id or name as given.
    public let query: String

    /// A reference by id or name.
    public init(_ idOrName: String) { query = idOrName }

    /// A reference from a string literal: `"kitchen"`.
    public init(stringLiteral value: String) { query = value }

    /// The id or name as given.
    public var description: String { query }
}
