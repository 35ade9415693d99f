/// What a verification code is for (`type` of `/v2/user/verification-code`).
public enum VerificationPurpose: Int, Sendable, CaseIterable {
    /// Registering a new account.
    case register = 0
    /// Resetting a forgotten password.
    case resetPassword = 1
    /// Closing the account.
    case closeAccount = 3
    /// Logging in by SMS code instead of a password.
    case smsLogin = 4
}
