import EWeLinkCore

/// A room of a home.
public struct CloudRoom: Sendable, Equatable {
    /// The room's id.
    public var id: String
    /// The room's name, as the user gave it.
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
    /// The home's id.
    public var id: String
    /// The home's name, as the user gave it.
    public var name: String
    /// The home's sequence number in the user's list (possibly negative).
    public var index: Int
    /// The owner's apikey (absent in the answer to "add a home").
    public var apikey: String?
    /// The rooms of the home.
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
    /// Every home of the account.
    public var families: [CloudFamily]
    /// The id of the home the account has selected; thing lists without a home id list this one.
    public var currentFamilyID: String

    /// The selected home, when it is among `families`.
    public var current: CloudFamily? { families.first { $0.id == currentFamilyID } }

    init(_ v: JSONValue) {
        families = (v["familyList"]?.arrayValue ?? []).compactMap(CloudFamily.init)
        currentFamilyID = v["currentFamilyId"]?.stringValue ?? ""
    }
}
