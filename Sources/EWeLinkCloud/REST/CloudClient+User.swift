import EWeLinkCore

extension CloudClient {
    /// The region of a country calling code (`+86` → `cn`), from the global lookup.
    public func region(forCountryCode countryCode: String) async throws(CloudError) -> CloudRegion {
        let data = try await call(.getRegion, query: [("countryCode", countryCode)])
        guard let region = data["region"]?.stringValue.flatMap(CloudRegion.init(rawValue:)) else {
            throw .invalidResponse(path: CloudAPI.getRegion.path, reason: "no known region")
        }
        return region
    }

    /// Asks for a verification code by email or SMS (at most 3 a minute per address).
    public func sendVerificationCode(_ purpose: VerificationPurpose, to account: CloudAccountID,
                                     region: CloudRegion) async throws(CloudError) {
        var body: JSONObject = ["type": .int(purpose.rawValue)]
        body[account.field.0] = account.field.1
        try await call(.verificationCode, body: body, region: region)
    }

    /// Creates an account (code from `sendVerificationCode(.register, …)`) and logs it in. The
    /// password (8 or more letters and digits) is used once and never stored.
    public func register(_ account: CloudAccountID, countryCode: String, verificationCode: String, password: String,
                         region: CloudRegion) async throws(CloudError) -> CloudSession {
        var body: JSONObject = ["countryCode": .string(countryCode)]
        body[account.field.0] = account.field.1
        body["verificationCode"] = .string(verificationCode)
        body["password"] = .string(password)
        let data = try await call(.register, body: body, region: region)
        return try adoptSession(data, api: .register, account: account.text, region: region)
    }

    /// Logs in with an SMS code (mainland China phone numbers only).
    public func smsLogin(phoneNumber: String, countryCode: String = "+86", verificationCode: String,
                         region: CloudRegion = .cn) async throws(CloudError) -> CloudSession {
        let body: JSONObject = ["countryCode": .string(countryCode), "phoneNumber": .string(phoneNumber),
                                "verificationCode": .string(verificationCode)]
        let data = try await call(.smsLogin, body: body, region: region)
        return try adoptSession(data, api: .smsLogin, account: phoneNumber, region: region)
    }

    /// Sets a new password with a code from `sendVerificationCode(.resetPassword, …)`; logs in.
    public func resetPassword(_ account: CloudAccountID, verificationCode: String, newPassword: String,
                              region: CloudRegion) async throws(CloudError) -> CloudSession {
        var body: JSONObject = [account.field.0: account.field.1]
        body["verificationCode"] = .string(verificationCode)
        body["password"] = .string(newPassword)
        let data = try await call(.resetPassword, body: body, region: region)
        return try adoptSession(data, api: .resetPassword, account: account.text, region: region)
    }

    /// Changes the password of the logged-in account.
    public func changePassword(old: String, new: String) async throws(CloudError) {
        try await call(.changePassword, body: ["oldPassword": .string(old), "newPassword": .string(new)])
    }

    /// The logged-in user and their region.
    public func profile() async throws(CloudError) -> (user: CloudUser, region: CloudRegion?) {
        let data = try await call(.getProfile)
        guard let user = CloudUser(data["user"]) else {
            throw .invalidResponse(path: CloudAPI.getProfile.path, reason: "no user")
        }
        return (user, data["region"]?.stringValue.flatMap(CloudRegion.init(rawValue:)))
    }

    /// Updates the profile; nil fields stay as they are. `accountConsult` can only be set to true.
    public func updateProfile(nickname: String? = nil, acceptEmailAd: Bool? = nil,
                              accountConsult: Bool? = nil) async throws(CloudError) {
        var body: JSONObject = [:]
        if let nickname { body["nickname"] = .string(nickname) }
        if let acceptEmailAd { body["acceptEmailAd"] = .bool(acceptEmailAd) }
        if let accountConsult { body["accountConsult"] = .bool(accountConsult) }
        try await call(.updateProfile, body: body)
    }

    /// Ends the session on the cloud and forgets it here.
    public func logout() async throws(CloudError) {
        try await call(.logout)
        dropSession()
    }

    /// Deletes the account for good (code from `sendVerificationCode(.closeAccount, …)`).
    public func closeAccount(verificationCode: String) async throws(CloudError) {
        try await call(.closeAccount, body: ["verificationCode": .string(verificationCode)])
        dropSession()
    }
}
