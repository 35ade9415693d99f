import EWeLinkLAN

/// What a thing-list entry is (`itemType`).
public enum CloudItemType: Int, Sendable {
    case ownDevice = 1
    case sharedDevice = 2
    case group = 3
}

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

/// An entry of a thing list: a device or a group.
public enum CloudItem: Sendable, Equatable {
    case device(CloudThing)
    case group(CloudGroup)

    init?(_ item: JSONValue) {
        if let thing = CloudThing(item: item) {
            self = .device(thing)
        } else if let group = CloudGroup(item: item) {
            self = .group(group)
        } else {
            return nil
        }
    }

    /// The device or group id.
    public var id: String {
        switch self {
        case .device(let d): return d.deviceID
        case .group(let g): return g.id
        }
    }
}
