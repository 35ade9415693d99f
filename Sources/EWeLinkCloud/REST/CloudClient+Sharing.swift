import EWeLinkCore

extension CloudClient {
    /// Shares devices with another user (silently: no consent asked). Returns the updated devices,
    /// whose `shareTo` holds the other user's apikey (for `setSharePermit` and `cancelShare`).
    public func share(_ deviceIDs: [String], with user: CloudAccountID, countryCode: String? = nil,
                      permit: SharePermit = .allTimers, comment: String? = nil) async throws(CloudError) -> [CloudThing] {
        guard !deviceIDs.isEmpty else { throw Self.invalid(.share, "no device to share") }
        var target: JSONObject = [user.field.0: user.field.1]
        if let countryCode { target["countryCode"] = .string(countryCode) }
        var body: JSONObject = ["deviceidList": .array(deviceIDs.map(JSONValue.string)), "user": .object(target),
                                "permit": .int(permit.rawValue)]
        if let comment { body["comment"] = .string(comment) }
        body["shareType"] = 1
        let data = try await call(.share, body: body)
        return (data["updatedThingList"]?.arrayValue ?? []).compactMap { CloudThing(item: $0) }
    }

    /// Changes what the user with `apikey` may do with a shared device.
    @discardableResult
    public func setSharePermit(_ deviceID: String, apikey: String, permit: SharePermit) async throws(CloudError)
        -> CloudThing? {
        let data = try await call(.sharePermit, body: ["deviceid": .string(deviceID), "apikey": .string(apikey),
                                                       "permit": .int(permit.rawValue)])
        return Self.updatedThing(data)
    }

    /// Stops sharing a device with the user with `apikey`.
    @discardableResult
    public func cancelShare(_ deviceID: String, apikey: String) async throws(CloudError) -> CloudThing? {
        let data = try await call(.cancelShare, query: [("deviceid", deviceID), ("apikey", apikey)])
        return Self.updatedThing(data)
    }

    /// `updatedThing` of the tags and sharing answers: an object in the tags table, an array in
    /// the sharing ones: take either.
    static func updatedThing(_ data: JSONValue) -> CloudThing? {
        guard let value = data["updatedThing"] else { return nil }
        return CloudThing(item: value.arrayValue?.first ?? value)
    }
}
