import EWeLinkCore

extension CloudClient {
    /// Messages of a home (nil: the current one), newest first: `num` (1…30) before `from` (ms).
    /// Page on with the `date` of the last one.
    public func messages(familyID: String? = nil, from: Int? = nil, num: Int = 30) async throws(CloudError)
        -> [CloudMessage] {
        guard (1...30).contains(num) else { throw Self.invalid(.messages, "num must be 1…30") }
        var query: [(String, String)] = [("num", String(num))]
        if let familyID { query.append(("familyid", familyID)) }
        if let from { query.append(("from", String(from))) }
        let data = try await call(.messages, query: query)
        return (data["messageList"]?.arrayValue ?? []).compactMap(CloudMessage.init)
    }
}
