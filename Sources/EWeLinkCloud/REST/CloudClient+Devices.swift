import EWeLinkCore

extension CloudClient {
    /// Every thing of a home (nil: the current one), devices and groups.
    public func items(familyID: String? = nil) async throws(CloudError) -> [CloudItem] {
        try await thingItems(familyID: familyID).compactMap(CloudItem.init)
    }

    /// The most pages one home's thing list is read in (30 things each): 9,000 things.
    static let maxThingPages = 300

    /// The raw thing list of a home, paged as the document describes it: `beginIndex` is an
    /// item's `index` (which can be negative and need not be contiguous), not an offset. The
    /// first page is asked without it (the server's default, -9999999), each next one from the
    /// highest `index` seen + 1, until `total` things are in hand or a page comes back empty,
    /// short, or with nothing new. Items are de-duplicated by type and id.
    func thingItems(familyID: String?) async throws(CloudError) -> [JSONValue] {
        let pageSize = 30
        var out: [JSONValue] = []
        var seen = Set<String>()
        var begin: Int? = nil
        for _ in 0..<Self.maxThingPages {
            var query: [(String, String)] = [("num", String(pageSize))]
            if let begin { query.append(("beginIndex", String(begin))) }
            if let familyID { query.append(("familyid", familyID)) }
            let data = try await call(.thingList, query: query)
            guard let page = data["thingList"]?.arrayValue else {
                throw .invalidResponse(path: CloudAPI.thingList.path, reason: "no thingList")
            }
            var fresh = 0
            for item in page where seen.insert(Self.itemKey(item)).inserted {
                out.append(item)
                fresh += 1
            }
            let total = data["total"]?.intValue ?? 0
            let highest = page.compactMap { $0["index"]?.intValue }.max()
            guard fresh > 0, page.count >= pageSize, out.count < total, let highest,
                  begin.map({ highest + 1 > $0 }) ?? true else { break }
            begin = highest + 1
        }
        return out
    }

    /// What makes a thing-list entry unique: its type and the device or group id.
    static func itemKey(_ item: JSONValue) -> String {
        let data = item["itemData"]
        let id = data?["deviceid"]?.stringValue ?? data?["id"]?.stringValue ?? JSONValue.object(item.objectValue ?? [:]).serialized
        return "\(item["itemType"]?.intValue ?? 0):\(id)"
    }

    /// The named things (1 to 10): devices and groups, in the cloud's order.
    public func things(_ refs: [CloudThingRef]) async throws(CloudError) -> [CloudItem] {
        guard (1...10).contains(refs.count) else { throw Self.invalid(.specifiedThings, "1 to 10 things per call") }
        let data = try await call(.specifiedThings, body: ["thingList": .array(refs.map(\.json))])
        return (data["thingList"]?.arrayValue ?? []).compactMap(CloudItem.init)
    }

    /// Sends params to up to 10 devices or groups at once; waits up to `timeoutMs` (0…8000) for the
    /// devices' answers. Returns each thing's error code (0 when fine, or not waited for).
    public func batchStatus(_ updates: [ThingUpdate], timeoutMs: Int = 0) async throws(CloudError)
        -> [(id: String, error: Int)] {
        guard (1...10).contains(updates.count), Set(updates.map(\.id)).count == updates.count else {
            throw Self.invalid(.batchStatus, "1 to 10 things with distinct ids")
        }
        guard (0...8000).contains(timeoutMs) else { throw Self.invalid(.batchStatus, "timeout must be 0…8000 ms") }
        let list: [JSONValue] = updates.map {
            ["type": .int($0.target.rawValue), "id": .string($0.id), "params": .object($0.params)]
        }
        let data = try await call(.batchStatus, body: ["thingList": .array(list), "timeout": .int(timeoutMs)])
        return (data["respList"]?.arrayValue ?? []).compactMap { r in
            guard let id = r["id"]?.stringValue else { return nil }
            return (id, r["error"]?.intValue ?? 0)
        }
    }

    /// `digest` for adding a device: lower-case hex SHA-256 of device id + the device's factory apikey.
    public static func addDeviceDigest(deviceID: String, deviceApikey: String) -> String {
        Digest.hex(Digest.sha256(Array((deviceID + deviceApikey).utf8)))
    }

    /// Adds a WiFi device to the account.
    public func addDevice(name: String, deviceID: String, digest: String, chipID: String,
                          settings: DeviceSettings? = nil, ifrCode: String? = nil,
                          placement: ThingPlacement = ThingPlacement()) async throws(CloudError) -> CloudThing {
        var body: JSONObject = ["name": .string(name), "deviceid": .string(deviceID)]
        if let settings { body["settings"] = .object(settings.json) }
        if let ifrCode { body["ifrCode"] = .string(ifrCode) }
        body["digest"] = .string(digest)
        body["chipid"] = .string(chipID)
        placement.add(to: &body)
        let data = try await call(.addDevice, body: body)
        guard let thing = CloudThing(item: data) else {
            throw .invalidResponse(path: CloudAPI.addDevice.path, reason: "no device item")
        }
        return thing
    }

    /// Adds a GSM device by the id of its QR code (`…/addGsm?id=<gsmID>`).
    public func addGSMDevice(gsmID: String, name: String,
                             placement: ThingPlacement = ThingPlacement()) async throws(CloudError) -> [CloudThing] {
        var body: JSONObject = ["id": .string(gsmID), "name": .string(name)]
        placement.add(to: &body)
        let data = try await call(.addGSMDevice, body: body)
        // The docs show both a single item and a `thingList`; take either.
        let items = data["thingList"]?.arrayValue ?? [data]
        return items.compactMap { CloudThing(item: $0) }
    }

    /// Renames a device and/or moves it to another room.
    public func updateDevice(_ deviceID: String, name: String? = nil, roomID: String? = nil) async throws(CloudError) {
        guard name != nil || roomID != nil else { throw Self.invalid(.updateDeviceInfo, "nothing to update") }
        var body: JSONObject = ["deviceid": .string(deviceID)]
        if let name { body["name"] = .string(name) }
        if let roomID { body["roomid"] = .string(roomID) }
        try await call(.updateDeviceInfo, body: body)
    }

    /// Removes a device from the account (or, for a device shared with me, leaves the share).
    public func deleteDevice(_ deviceID: String) async throws(CloudError) {
        try await call(.deleteDevice, query: [("deviceid", deviceID)])
    }

    /// Sets a device's tags: replaces them all, or merges the given keys in.
    public func setTags(_ deviceID: String, _ tags: JSONObject, merge: Bool = false) async throws(CloudError)
        -> CloudThing? {
        let body: JSONObject = ["deviceid": .string(deviceID), "type": .string(merge ? "merge" : "replace"),
                                "tags": .object(tags)]
        let data = try await call(.deviceTags, body: body)
        return Self.updatedThing(data)
    }

    /// A device's operating history, newest first: `num` (1…30) entries before `from` (ms).
    public func history(of deviceID: String, from: Int? = nil, num: Int = 30) async throws(CloudError)
        -> [CloudHistoryEntry] {
        guard (1...30).contains(num) else { throw Self.invalid(.getHistory, "num must be 1…30") }
        var query: [(String, String)] = [("deviceid", deviceID), ("num", String(num))]
        if let from { query.append(("from", String(from))) }
        let data = try await call(.getHistory, query: query)
        return (data["histories"]?.arrayValue ?? []).compactMap(CloudHistoryEntry.init)
    }

    /// Deletes a device's operating history.
    public func clearHistory(of deviceID: String) async throws(CloudError) {
        try await call(.clearHistory, query: [("deviceid", deviceID)])
    }
}
