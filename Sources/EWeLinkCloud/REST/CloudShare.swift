import EWeLinkCore

/// A user a device is shared with (`shareTo` of a device).
public struct CloudShare: Sendable, Equatable {
    /// The apikey of the user the device is shared with.
    public var apikey: String
    /// That user's email, when the account has one.
    public var email: String?
    /// That user's phone number, when the account has one.
    public var phoneNumber: String?
    /// That user's nickname.
    public var nickname: String?
    /// The sum of the permissions (see `SharePermit`).
    public var permit: Int
    /// The note the owner left with the share.
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
