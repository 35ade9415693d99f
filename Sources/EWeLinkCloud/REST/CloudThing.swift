import EWeLinkCore

/// A device of the thing list: what key sync keeps.
public struct CloudThing: Sendable, Equatable {
    /// The eWeLink device id (`1000abcdef`): the same id the device announces on the LAN.
    public var deviceID: String
    /// The name the user gave the device in the eWeLink app.
    public var name: String
    /// The owner's apikey (use it in WebSocket messages).
    public var apikey: String
    /// The LAN key.
    public var devicekey: String?
    /// The UIID: the cloud's number for the kind of device, which `DeviceCatalogue.kind(uiid:)` maps to a type.
    public var uiid: Int?
    /// The product model (`extra.model`, e.g. `PSF-B04-GL`).
    public var model: String?
    /// The firmware version the device last reported to the cloud.
    public var fwVersion: String?
    /// Whether the cloud has a connection to the device now.
    public var online: Bool
    /// 1 own device, 2 shared with me; other types carrying a device (5: shared into a home) are kept too.
    public var itemType: Int
    /// The apikey of the account that shared the device with this one; nil for an own device.
    public var sharedBy: String?
    /// Whether the device belongs to another account (shared with this one).
    public var isShared: Bool { itemType != CloudItemType.ownDevice.rawValue || sharedBy != nil }
    /// The device's state as the cloud last saw it.
    public var params: JSONObject
    /// The users the device is shared with (own devices).
    public var shareTo: [CloudShare]
    /// Free-form tags kept by the cloud (channel names, …).
    public var tags: JSONObject
    /// The home the device is in.
    public var familyID: String?
    /// The room the device is in, if any.
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
