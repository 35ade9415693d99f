import EWeLinkLAN

/// A user account as the cloud describes it (login, register, profile, home page).
public struct CloudUser: Sendable, Equatable {
    public var apikey: String
    public var email: String?
    public var phoneNumber: String?
    public var countryCode: String?
    public var nickname: String?
    /// 10 free, 20 advanced, 30 pro.
    public var accountLevel: Int?
    /// Whether the user subscribed to the newsletter.
    public var acceptEmailAd: Bool?
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

/// What a verification code is for (`type` of `/v2/user/verification-code`).
public enum VerificationPurpose: Int, Sendable, CaseIterable {
    case register = 0
    case resetPassword = 1
    case closeAccount = 3
    case smsLogin = 4
}

/// Who an account call is about: an email, or a phone number with its country code
/// (`+8618023456789`; the phone number is checked first when both are given).
public enum CloudAccountID: Sendable, Equatable {
    case email(String)
    case phone(String)

    var field: (String, JSONValue) {
        switch self {
        case .email(let e): return ("email", .string(e))
        case .phone(let p): return ("phoneNumber", .string(p))
        }
    }

    var text: String {
        switch self {
        case .email(let e): return e
        case .phone(let p): return p
        }
    }
}
