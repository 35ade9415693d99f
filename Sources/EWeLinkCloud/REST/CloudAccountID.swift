import EWeLinkCore

/// Who an account call is about: an email, or a phone number with its country code
/// (`+8618023456789`; the phone number is checked first when both are given).
public enum CloudAccountID: Sendable, Equatable {
    /// An account registered with this email address.
    case email(String)
    /// An account registered with this phone number, country code first (`+8618023456789`).
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
