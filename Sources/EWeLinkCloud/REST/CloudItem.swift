import EWeLinkCore

/// What a thing-list entry is (`itemType`).
public enum CloudItemType: Int, Sendable {
    case ownDevice = 1
    case sharedDevice = 2
    case group = 3
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
