import EWeLinkCore

extension CloudClient {
    /// The homes of the account with their rooms, and the current home.
    public func families() async throws(CloudError) -> CloudFamilies {
        CloudFamilies(try await call(.familyList))
    }

    /// Creates a home, with rooms in the given order. `sort` 1 puts it first, 2 last.
    public func addFamily(name: String, roomNames: [String] = [], sort: Int = 2) async throws(CloudError) -> CloudFamily {
        var body: JSONObject = ["name": .string(name), "sort": .int(sort)]
        if !roomNames.isEmpty { body["roomNameList"] = .array(roomNames.map(JSONValue.string)) }
        let data = try await call(.addFamily, body: body)
        guard let family = CloudFamily(data) else {
            throw .invalidResponse(path: CloudAPI.addFamily.path, reason: "no home id")
        }
        return family
    }

    /// Renames a home (nil: the current one).
    public func renameFamily(_ id: String? = nil, to name: String) async throws(CloudError) {
        var body: JSONObject = [:]
        if let id { body["id"] = .string(id) }
        body["name"] = .string(name)
        try await call(.renameFamily, body: body)
    }

    /// Deletes a home, moving its things to `moveThingsTo` and switching to `switchTo`.
    public func deleteFamily(_ id: String, moveThingsTo: String, switchTo: String) async throws(CloudError) {
        try await call(.deleteFamily, query: [("id", id), ("deviceFamily", moveThingsTo), ("switchFamily", switchTo)])
    }

    /// Makes another home the current one.
    public func switchFamily(to id: String) async throws(CloudError) {
        try await call(.switchFamily, body: ["id": .string(id)])
    }

    /// Adds a room to a home (at most 100 per home). `sort` 1 puts it first, 2 last.
    public func addRoom(to familyID: String, name: String, sort: Int = 2) async throws(CloudError) -> CloudRoom {
        let data = try await call(.addRoom, body: ["familyid": .string(familyID), "name": .string(name),
                                                   "sort": .int(sort)])
        guard let room = CloudRoom(data) else { throw .invalidResponse(path: CloudAPI.addRoom.path, reason: "no room id") }
        return room
    }

    /// Renames a room.
    public func renameRoom(_ id: String, to name: String) async throws(CloudError) {
        try await call(.renameRoom, body: ["id": .string(id), "name": .string(name)])
    }

    /// Deletes a room; its things become unassigned.
    public func deleteRoom(_ id: String) async throws(CloudError) {
        try await call(.deleteRoom, query: [("id", id)])
    }

    /// Orders all the rooms of a home (nil: the current one).
    public func sortRooms(_ roomIDs: [String], in familyID: String? = nil) async throws(CloudError) {
        var body: JSONObject = [:]
        if let familyID { body["familyid"] = .string(familyID) }
        body["idList"] = .array(roomIDs.map(JSONValue.string))
        try await call(.sortRooms, body: body)
    }

    /// Orders all the devices and groups of a home (nil: the current one).
    public func sortThings(_ things: [CloudThingRef], in familyID: String? = nil) async throws(CloudError) {
        var body: JSONObject = [:]
        if let familyID { body["familyid"] = .string(familyID) }
        body["thingList"] = .array(things.map(\.json))
        try await call(.sortThings, body: body)
    }

    /// Sets a room's things: `old` must be what the room holds now, `new` what it should hold.
    public func moveThings(room roomID: String, old: [CloudThingRef], new: [CloudThingRef]) async throws(CloudError) {
        try await call(.moveThings, body: ["roomid": .string(roomID), "oldThingList": .array(old.map(\.json)),
                                           "newThingList": .array(new.map(\.json))])
    }
}
