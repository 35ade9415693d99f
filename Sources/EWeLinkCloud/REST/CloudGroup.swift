import EWeLinkCore

/// A device group (thing list item type 3).
public struct CloudGroup: Sendable, Equatable {
    /// The group's id.
    public var id: String
    /// The group's name, as the user gave it.
    public var name: String
    /// The device whose type and state the group follows.
    public var mainDeviceID: String
    /// The home the group is in.
    public var familyID: String?
    /// The room the group is in, if any.
    public var roomID: String?
    /// The group's status as last saved.
    public var params: JSONObject

    init?(item: JSONValue) {
        guard item["itemType"]?.intValue == 3, let data = item["itemData"], let id = data["id"]?.stringValue else {
            return nil
        }
        self.id = id
        name = data["name"]?.stringValue ?? ""
        mainDeviceID = data["mainDeviceId"]?.stringValue ?? ""
        familyID = data["family"]?["familyid"]?.stringValue
        roomID = data["family"]?["roomid"]?.stringValue
        params = data["params"]?.objectValue ?? [:]
    }
}
