import EWeLinkCore

/// A room of a home.
public struct CloudRoom: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Sequence number, possibly negative.
    public var index: Int

    init?(_ v: JSONValue) {
        guard let id = v["id"]?.stringValue else { return nil }
        self.id = id
        name = v["name"]?.stringValue ?? ""
        index = v["index"]?.intValue ?? 0
    }
}

/// A home ("family") and its rooms.
public struct CloudFamily: Sendable, Equatable {
    public var id: String
    public var name: String
    public var index: Int
    /// The owner's apikey (absent in the answer to "add a home").
    public var apikey: String?
    public var rooms: [CloudRoom]

    init?(_ v: JSONValue) {
        guard let id = v["id"]?.stringValue else { return nil }
        self.id = id
        name = v["name"]?.stringValue ?? ""
        index = v["index"]?.intValue ?? 0
        apikey = v["apikey"]?.stringValue
        rooms = (v["roomList"]?.arrayValue ?? []).compactMap(CloudRoom.init)
    }
}

/// The homes of an account and which one is current.
public struct CloudFamilies: Sendable, Equatable {
    public var families: [CloudFamily]
    public var currentFamilyID: String

    public var current: CloudFamily? { families.first { $0.id == currentFamilyID } }

    init(_ v: JSONValue) {
        families = (v["familyList"]?.arrayValue ?? []).compactMap(CloudFamily.init)
        currentFamilyID = v["currentFamilyId"]?.stringValue ?? ""
    }
}
