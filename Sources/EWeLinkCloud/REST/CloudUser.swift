import EWeLinkCore

/// A user account as the cloud describes it (login, register, profile, home page).
public struct CloudUser: Sendable, Equatable {
    /// The user's apikey: the account's id in WebSocket messages and shares.
    public var apikey: String
    /// The account's email, when it has one.
    public var email: String?
    /// The account's phone number, when it has one.
    public var phoneNumber: String?
    /// The country code the account was registered with (`+49`).
    public var countryCode: String?
    /// The user's nickname.
    public var nickname: String?
    /// 10 free, 20 advanced, 30 pro.
    public var accountLevel: Int?
    /// Whether the user subscribed to the newsletter.
    public var acceptEmailAd: Bool?
    /// Whether the user has asked about subscription plans (once true, it stays true).
    public var accountConsult: Bool?
    /// Every field as sent (WeChat ids, subscription dates, …).
    public var raw: JSONObject

    init?(_ value: JSONValue?) {
        guard let o = value?.objectValue, let apikey = o["apikey"]?.stringValue else { return nil }
        self.apikey = apikey
        email = o["email"]?.stringValue
        phoneNumber = o["phoneNumber"]?.stringValue
        countryCode = o["countryCode"]?.stringValue
        nickname = o["nickname"]?.stringValue
        accountLevel = o["accountLevel"]?.intValue
        acceptEmailAd = o["acceptEmailAd"]?.boolValue
        accountConsult = o["accountConsult"]?.boolValue
        raw = o
    }
}
