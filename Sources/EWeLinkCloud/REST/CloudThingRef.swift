import EWeLinkCore

/// A reference to a thing: a device (own or shared) or a group, by id.
public struct CloudThingRef: Sendable, Equatable, Hashable {
    public var type: CloudItemType
    public var id: String

    public init(_ type: CloudItemType, _ id: String) {
        self.type = type
        self.id = id
    }

    var json: JSONValue { ["itemType": .int(type.rawValue), "id": .string(id)] }
}
