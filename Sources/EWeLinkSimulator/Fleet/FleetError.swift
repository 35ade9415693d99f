/// A fleet file that cannot be used, with the place of the problem.
public struct FleetError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// Index and id of the device, when the problem is inside one.
    public let device: String?
    public let field: String?
    public let reason: String

    public var description: String {
        var where_ = file
        if let device { where_ += ": device \(device)" }
        if let field { where_ += ": field '\(field)'" }
        return "\(where_): \(reason)"
    }
}
