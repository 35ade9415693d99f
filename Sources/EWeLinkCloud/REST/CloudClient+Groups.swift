import EWeLinkCore

extension CloudClient {
    /// The groups of the current home.
    public func groups() async throws(CloudError) -> [CloudGroup] {
        let data = try await call(.groupList)
        return (data["groupList"]?.arrayValue ?? []).compactMap { CloudGroup(item: $0) }
    }

    /// Creates a group around a main device (name up to 50 characters).
    public func addGroup(name: String, mainDeviceID: String,
                         placement: ThingPlacement = ThingPlacement()) async throws(CloudError) -> CloudGroup {
        guard name.count <= 50 else { throw Self.invalid(.addGroup, "group names are at most 50 characters") }
        var body: JSONObject = ["name": .string(name), "mainDeviceId": .string(mainDeviceID)]
        placement.add(to: &body)
        let data = try await call(.addGroup, body: body)
        guard let group = CloudGroup(item: data) else {
            throw .invalidResponse(path: CloudAPI.addGroup.path, reason: "no group item")
        }
        return group
    }

    /// Renames a group (up to 50 characters).
    public func renameGroup(_ id: String, to name: String) async throws(CloudError) {
        guard name.count <= 50 else { throw Self.invalid(.renameGroup, "group names are at most 50 characters") }
        try await call(.renameGroup, body: ["id": .string(id), "name": .string(name)])
    }

    /// Deletes a group (its devices stay).
    public func deleteGroup(_ id: String) async throws(CloudError) {
        try await call(.deleteGroup, query: [("id", id)])
    }

    /// Saves a group's status.
    public func setGroupStatus(_ id: String, params: JSONObject) async throws(CloudError) {
        try await call(.groupStatus, body: ["id": .string(id), "params": .object(params)])
    }

    /// A group's status (all params, or the named ones), through the device-or-group status call.
    public func status(ofGroup id: String, params names: [String]? = nil) async throws(CloudError) -> JSONObject {
        var query: [(String, String)] = [("type", "2"), ("id", id)]
        if let names, !names.isEmpty { query.append(("params", names.joined(separator: "|"))) }
        return try await call(.getStatus, query: query)["params"]?.objectValue ?? [:]
    }

    /// Sends params to every device of a group (offline ones are skipped) through the
    /// device-or-group status call.
    public func setStatus(ofGroup id: String, params: JSONObject) async throws(CloudError) {
        try await call(.setStatus, body: ["type": 2, "id": .string(id), "params": .object(params)])
    }

    /// Sets the group's devices to exactly `deviceIDs` (which must hold the main device); returns
    /// the devices whose group membership changed.
    public func setGroupDevices(_ id: String, _ deviceIDs: [String]) async throws(CloudError) -> [CloudThing] {
        let data = try await call(.groupDevices,
                                  body: ["id": .string(id), "deviceidList": .array(deviceIDs.map(JSONValue.string))])
        return (data["updatedThingList"]?.arrayValue ?? []).compactMap { CloudThing(item: $0) }
    }
}
