import EWeLinkCore

/// What a thing-list entry is (`itemType`).
public enum CloudItemType: Int, Sendable {
    /// A device the account owns.
    case ownDevice = 1
    /// A device another account shares with this one.
    case sharedDevice = 2
    /// A group of devices switched together.
    case group = 3
}

/// An entry of a thing list: a device or a group.
public enum CloudItem: Sendable, Equatable {
    /// A device.
    case device(CloudThing)
    /// A group.
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
