import EWeLinkCore

/// A reference to a thing: a device (own or shared) or a group, by id.
public struct CloudThingRef: Sendable, Equatable, Hashable {
    /// Whether `id` names a device or a group.
    public var type: CloudItemType
    /// The device or group id.
    public var id: String

    /// The device or group `id`.
    public init(_ type: CloudItemType, _ id: String) {
        self.type = type
        self.id = id
    }

    var json: JSONValue { ["itemType": .int(type.rawValue), "id": .string(id)] }
}
