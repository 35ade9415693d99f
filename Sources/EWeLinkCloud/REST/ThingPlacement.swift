import EWeLinkCore

/// Where a new thing goes: home (default the current one), room (default unassigned), and
/// whether it gets a smaller (1) or larger (2) sequence number than the others.
public struct ThingPlacement: Sendable, Equatable {
    /// The home to move the thing to; nil: unchanged.
    public var familyID: String?
    /// The room to move the thing to; nil: unchanged.
    public var roomID: String?
    /// The thing's position in its room; nil: unchanged.
    public var sort: Int?

    /// Where to put a thing; nil parts are left as they are.
    public init(familyID: String? = nil, roomID: String? = nil, sort: Int? = nil) {
        self.familyID = familyID
        self.roomID = roomID
        self.sort = sort
    }

    func add(to body: inout JSONObject) {
        if let familyID { body["familyid"] = .string(familyID) }
        if let roomID { body["roomid"] = .string(roomID) }
        if let sort { body["sort"] = .int(sort) }
    }
}
