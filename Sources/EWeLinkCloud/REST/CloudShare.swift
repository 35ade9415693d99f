import EWeLinkCore

/// A user a device is shared with (`shareTo` of a device).
public struct CloudShare: Sendable, Equatable {
    public var apikey: String
    public var email: String?
    public var phoneNumber: String?
    public var nickname: String?
    /// The sum of the permissions (see `SharePermit`).
    public var permit: Int
    public var comment: String?
    /// Milliseconds since 1970.
    public var shareTime: Int?

    init?(_ v: JSONValue) {
        guard let apikey = v["apikey"]?.stringValue else { return nil }
        self.apikey = apikey
        email = v["email"]?.stringValue
        phoneNumber = v["phoneNumber"]?.stringValue
        nickname = v["nickname"]?.stringValue
        permit = v["permit"]?.intValue ?? 0
        comment = v["comment"]?.stringValue
        shareTime = v["shareTime"]?.intValue
    }
}
