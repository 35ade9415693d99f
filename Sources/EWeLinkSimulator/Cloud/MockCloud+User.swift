import EWeLinkCloud
import EWeLinkLAN
import Foundation

/// The user interfaces: region lookup, verification codes (kept here instead of sent: read them
/// with `lastVerificationCode`), register, SMS login, password reset and change, profile, logout
/// and account deletion.
extension MockCloud {
    /// The last verification code issued (no email or SMS is sent).
    public var lastVerificationCode: String? { extra.withLock { $0.lastCode } }

    /// The pending verification code of an email (any case) or phone number.
    public func verificationCode(for address: String) -> String? {
        extra.withLock { $0.codes[address.lowercased()]?.code }
    }

    /// Whether an email (any case) or phone number has a live account.
    public func hasAccount(_ address: String) -> Bool {
        let a = address.lowercased()
        return accounts.contains { $0.email == a || $0.phoneNumber == address }
    }

    func getRegion(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let code = try c.string("countryCode")
        guard code.hasPrefix("+"), code.count > 1, code.dropFirst().allSatisfy(\.isNumber) else {
            throw MockRefusal(.parameterError, "countryCode must look like +86")
        }
        return ["region": .string(Self.region(ofCountryCode: code).rawValue)]
    }

    /// A coarse version of the cloud's table: mainland China, the Americas, Europe (and Russia), Asia.
    static func region(ofCountryCode code: String) -> CloudRegion {
        let digits = code.dropFirst()
        if digits == "86" { return .cn }
        if digits.hasPrefix("1") || digits.hasPrefix("5") { return .us }
        if digits.hasPrefix("3") || digits.hasPrefix("4") || digits == "7" { return .eu }
        return .as
    }

    func sendCode(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let type = try c.int("type")
        guard [0, 1, 3, 4].contains(type) else { throw MockRefusal(.parameterError, "type must be 0, 1, 3 or 4") }
        let (email, phone) = (c.optionalString("email")?.lowercased(), c.optionalString("phoneNumber"))
        guard let address = phone ?? email else { throw MockRefusal(.parameterError, "email or phoneNumber required") }
        if type == 4 && !(phone?.hasPrefix("+86") ?? false) {
            throw MockRefusal(.parameterError, "verification code login is for mainland China phone numbers")
        }
        return try extra.withLock { s throws(MockRefusal) -> JSONObject in
            let index = s.accountIndex(email: email, phone: phone)
            if type == 0 {
                if index != nil { throw MockRefusal(.userExists, "user already exists") }
            } else {
                guard let index else { throw MockRefusal(.userNotFound, "user does not exist") }
                let home = s.accounts[index].region.rawValue
                try c.expectRegion(home)
            }
            let now = Date()
            let recent = s.codeTimes[address, default: []].filter { now.timeIntervalSince($0) < 3600 }
            guard recent.filter({ now.timeIntervalSince($0) < 60 }).count < 3, recent.count < 20 else {
                throw MockRefusal(.verificationCodeTooFast, "verification codes requested too fast")
            }
            s.codeTimes[address] = recent + [now]
            let code = String(format: "%06d", Int.random(in: 0...999_999))
            s.codes[address] = MockCloudStore.Code(code: code, purpose: type)
            s.lastCode = code
            return [:]
        }
    }

    func register(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let countryCode = try c.string("countryCode")
        guard countryCode.hasPrefix("+") else { throw MockRefusal(.parameterError, "countryCode must start with +") }
        let (email, phone) = (c.optionalString("email")?.lowercased(), c.optionalString("phoneNumber"))
        guard let address = phone ?? email else { throw MockRefusal(.parameterError, "email or phoneNumber required") }
        let code = try c.string("verificationCode")
        let password = try c.string("password")
        try Self.checkPasswordRule(password)
        // A new account lives in its country's region: another region's server redirects there.
        let region = Self.region(ofCountryCode: countryCode)
        try c.expectRegion(region.rawValue)
        let index = try extra.withLock { s throws(MockRefusal) -> Int in
            if s.accountIndex(email: email, phone: phone) != nil { throw MockRefusal(.userExists, "user already exists") }
            try s.useCode(code, for: address, purpose: 0)
            let apikey = UUID().uuidString.lowercased()
            s.accounts.append(CloudFleet.Account(email: phone == nil ? email : nil, phoneNumber: phone, password: password,
                                                 countryCode: countryCode, region: region, apikey: apikey,
                                                 nickname: "", shared: [], devices: []))
            let index = s.accounts.count - 1
            _ = s.homesOf(index)
            return index
        }
        return sessionAnswer(index)
    }

    func smsLogin(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let countryCode = try c.string("countryCode")
        let phone = try c.string("phoneNumber")
        guard countryCode == "+86", phone.hasPrefix("+86") else {
            throw MockRefusal(.parameterError, "SMS login is for mainland China phone numbers")
        }
        let code = try c.string("verificationCode")
        let index = try extra.withLock { s throws(MockRefusal) -> Int in
            guard let index = s.accountIndex(email: nil, phone: phone) else { throw MockRefusal(.userNotFound, "user does not exist") }
            let home = s.accounts[index].region.rawValue
            try c.expectRegion(home)
            try s.useCode(code, for: phone, purpose: 4)
            return index
        }
        return sessionAnswer(index)
    }

    func resetPassword(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let (email, phone) = (c.optionalString("email")?.lowercased(), c.optionalString("phoneNumber"))
        guard let address = phone ?? email else { throw MockRefusal(.parameterError, "email or phoneNumber required") }
        let code = try c.string("verificationCode")
        let password = try c.string("password")
        try Self.checkPasswordRule(password)
        let index = try extra.withLock { s throws(MockRefusal) -> Int in
            guard let index = s.accountIndex(email: email, phone: phone) else { throw MockRefusal(.userNotFound, "user does not exist") }
            let home = s.accounts[index].region.rawValue
            try c.expectRegion(home)
            try s.useCode(code, for: address, purpose: 1)
            s.accounts[index].password = password
            return index
        }
        return sessionAnswer(index)
    }

    func changePassword(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let old = try c.string("oldPassword")
        let new = try c.string("newPassword")
        try Self.checkPasswordRule(new)
        try extra.withLock { s throws(MockRefusal) in
            guard s.accounts[me].password == old else { throw MockRefusal(.wrongPassword, "wrong password") }
            s.accounts[me].password = new
        }
        return [:]
    }

    func profile(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        return ["user": .object(userJSON(me)), "region": .string(accounts[me].region.rawValue)]
    }

    func updateProfile(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        var changes: JSONObject = [:]
        if let v = c.params["nickname"], v != .null {
            guard let nickname = v.stringValue else { throw MockRefusal(.parameterError, "nickname must be a string") }
            changes["nickname"] = .string(nickname)
        }
        if let v = c.params["acceptEmailAd"], v != .null {
            guard let b = v.boolValue else { throw MockRefusal(.parameterError, "acceptEmailAd must be a boolean") }
            changes["acceptEmailAd"] = .bool(b)
        }
        if let v = c.params["accountConsult"], v != .null {
            guard v.boolValue == true else { throw MockRefusal(.parameterError, "accountConsult can only be true") }
            changes["accountConsult"] = true
        }
        extra.withLock { s in
            if let nickname = changes["nickname"]?.stringValue { s.accounts[me].nickname = nickname }
            s.profiles[me, default: [:]].merge(changes)
        }
        return [:]
    }

    func logout(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        revokeTokens(of: try c.me())
        return [:]
    }

    func closeAccount(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let code = try c.string("verificationCode")
        try extra.withLock { s throws(MockRefusal) in
            let a = s.accounts[me]
            // The code may have gone to either address of the account.
            let address = [a.phoneNumber, a.email].compactMap { $0 }.first { s.codes[$0.lowercased()]?.code == code } ?? ""
            try s.useCode(code, for: address, purpose: 3)
            for id in s.owner.keys where s.owner[id] == me { s.release(id) }
            for id in a.shared { s.unshare(id, guest: me) }
            for (gid, g) in s.groups where g.owner == me { s.groups[gid] = nil }
            s.accounts[me].email = nil
            s.accounts[me].phoneNumber = nil
            s.accounts[me].password = UUID().uuidString
            s.closed.insert(me)
        }
        revokeTokens(of: me)
        return [:]
    }

    // MARK: Helpers

    /// `{user, at, rt, region}` of a fresh session (earlier tokens of the account end).
    private func sessionAnswer(_ index: Int) -> JSONObject {
        revokeTokens(of: index)
        let (at, rt) = issueTokens(for: index)
        return ["user": .object(userJSON(index)), "at": .string(at), "rt": .string(rt),
                "region": .string(accounts[index].region.rawValue)]
    }

    func userJSON(_ index: Int) -> JSONObject {
        extra.withLock { s in
            let a = s.accounts[index]
            var o: JSONObject = ["apikey": .string(a.apikey), "countryCode": .string(a.countryCode),
                                 "nickname": .string(a.nickname), "accountLevel": 10]
            if let e = a.email { o["email"] = .string(e) }
            if let p = a.phoneNumber { o["phoneNumber"] = .string(p) }
            for (k, v) in s.profiles[index] ?? [:] where k != "nickname" { o[k] = v }
            return o
        }
    }

    /// 8 or more letters and digits.
    static func checkPasswordRule(_ password: String) throws(MockRefusal) {
        guard password.count >= 8, password.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw MockRefusal(.parameterError, "password must be 8 or more letters and digits")
        }
    }
}

extension MockCloudStore {
    /// Checks and spends a verification code.
    mutating func useCode(_ code: String, for address: String, purpose: Int) throws(MockRefusal) {
        let key = address.lowercased()
        guard let issued = codes[key], issued.code == code, issued.purpose == purpose else {
            throw MockRefusal(.wrongVerificationCode, "wrong verification code")
        }
        codes[key] = nil
    }
}
