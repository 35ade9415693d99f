import EWeLinkCore

/// A device of the thing list: what key sync keeps.
public struct CloudThing: Sendable, Equatable {
    public var deviceID: String
    public var name: String
    /// The owner's apikey (use it in WebSocket messages).
    public var apikey: String
    /// The LAN key.
    public var devicekey: String?
    public var uiid: Int?
    public var model: String?
    public var fwVersion: String?
    public var online: Bool
    /// 1 own device, 2 shared with me; other types carrying a device (5: shared into a home) are kept too.
    public var itemType: Int
    public var sharedBy: String?
    /// Whether the device belongs to another account (shared with this one).
    public var isShared: Bool { itemType != CloudItemType.ownDevice.rawValue || sharedBy != nil }
    public var params: JSONObject
    /// The users the device is shared with (own devices).
    public var shareTo: [CloudShare]
    /// Free-form tags kept by the cloud (channel names, …).
    public var tags: JSONObject
    public var familyID: String?
    public var roomID: String?

    /// Outlets in the state (`switches`), or nil for single-channel devices.
    public var channels: Int? { params["switches"]?.arrayValue?.count }

    init?(item: JSONValue) {
        // Any item that carries a device id is a device (groups, type 3, carry `id`).
        guard let type = item["itemType"]?.intValue, type != CloudItemType.group.rawValue,
              let data = item["itemData"]?.objectValue, let id = data["deviceid"]?.stringValue, !id.isEmpty else {
            return nil
        }
        deviceID = id
        name = data["name"]?.stringValue ?? id
        apikey = data["apikey"]?.stringValue ?? ""
        devicekey = data["devicekey"]?.stringValue
        uiid = data["extra"]?["uiid"]?.intValue
        model = data["extra"]?["model"]?.stringValue
        params = data["params"]?.objectValue ?? [:]
        fwVersion = params["fwVersion"]?.stringValue
        online = data["online"]?.boolValue ?? false
        itemType = type
        sharedBy = data["sharedBy"]?["apikey"]?.stringValue
        shareTo = (data["shareTo"]?.arrayValue ?? []).compactMap(CloudShare.init)
        tags = data["tags"]?.objectValue ?? [:]
        familyID = data["family"]?["familyid"]?.stringValue
        roomID = data["family"]?["roomid"]?.stringValue
    }
}
