/// What a verification code is for (`type` of `/v2/user/verification-code`).
public enum VerificationPurpose: Int, Sendable, CaseIterable {
    case register = 0
    case resetPassword = 1
    case closeAccount = 3
    case smsLogin = 4
}
