import EWeLinkCore

/// Where a new thing goes: home (default the current one), room (default unassigned), and
/// whether it gets a smaller (1) or larger (2) sequence number than the others.
public struct ThingPlacement: Sendable, Equatable {
    public var familyID: String?
    public var roomID: String?
    public var sort: Int?

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
