import EWeLinkCore

/// A device group (thing list item type 3).
public struct CloudGroup: Sendable, Equatable {
    public var id: String
    public var name: String
    public var mainDeviceID: String
    public var familyID: String?
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
