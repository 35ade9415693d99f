import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// The code of the cloud error `body` throws (0 when it succeeds, nil for other errors; a
/// rate-limit refusal counts as 429).
func apiCode<T>(_ body: () async throws -> T) async -> Int? {
    do {
        _ = try await body()
        return 0
    } catch let error as CloudError {
        switch error {
        case .api(let code, _, _): return code
        case .rateLimited: return 429
        default: return nil
        }
    } catch {
        return nil
    }
}

/// A client logged in as the fleet's owner (`eu`) or guest (`us`).
func loggedIn(_ cloud: MockCloud, _ spec: CloudTestFleet, guest: Bool = false, limiter: CloudRateLimiter)
    async throws -> CloudClient {
    let c = client(cloud, spec, limiter: limiter)
    if guest {
        _ = try await c.login(email: spec.guestEmail, password: spec.guestPassword, countryCode: "+1", region: .us)
    } else {
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
    }
    return c
}

/// Every interface of the cloud API v2 through the typed wrappers, against the mock cloud.
@Suite("Cloud API v2 endpoints against the mock cloud")
struct CloudEndpointTests {
    @Test("Get region maps country codes to regions and refuses a code without +")
    func region() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        #expect(try await c.region(forCountryCode: "+86") == .cn)
        #expect(try await c.region(forCountryCode: "+49") == .eu)
        #expect(await apiCode { try await c.region(forCountryCode: "86") } == 400)
        #expect(cloud.stats.violations == 0)
    }

    @Test("Register needs the right verification code, then logs in; an existing address is refused")
    func register() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let c = client(cloud, spec, limiter: limiter)
        let address = "New.User@example.com"
        try await c.sendVerificationCode(.register, to: .email(address), region: .as)
        let code = try #require(cloud.lastVerificationCode)
        #expect(cloud.verificationCode(for: address) == code)
        let wrong = code == "000000" ? "111111" : "000000"
        #expect(await apiCode {
            try await c.register(.email(address), countryCode: "+65", verificationCode: wrong, password: "secret123", region: .as)
        } == 10002)
        #expect(await apiCode {
            try await c.register(.email(address), countryCode: "+65", verificationCode: code, password: "short", region: .as)
        } == 400, "passwords are 8 or more letters and digits")
        let session = try await c.register(.email(address), countryCode: "+65", verificationCode: code,
                                           password: "secret123", region: .as)
        #expect(session.region == .as && cloud.hasAccount(address))
        let (user, region) = try await c.profile()
        #expect(user.email == "new.user@example.com" && user.apikey == session.apikey && region == .as)
        #expect(try await c.families().families.count == 1, "a new account gets its first home")

        let again = client(cloud, spec, limiter: limiter)
        let login = try await again.login(email: address, password: "secret123", countryCode: "+65", region: .us)
        #expect(login.apikey == session.apikey && login.region == .as)
        #expect(await apiCode { try await again.sendVerificationCode(.register, to: .email(address), region: .as) } == 10009)
    }

    @Test("Verification codes: unknown user 10003, another region's user redirected (10004 followed), more than 3 a minute 10010")
    func verificationCodes() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        #expect(await apiCode { try await c.sendVerificationCode(.resetPassword, to: .email("nobody@example.com"), region: .eu) }
            == 10003)
        // The guest lives in us: the eu server's 10004 sends the call there.
        try await c.sendVerificationCode(.resetPassword, to: .email(spec.guestEmail), region: .eu)
        #expect(cloud.verificationCode(for: spec.guestEmail) != nil)
        for _ in 0..<3 { try await c.sendVerificationCode(.resetPassword, to: .email(spec.ownerEmail), region: .eu) }
        #expect(await apiCode { try await c.sendVerificationCode(.resetPassword, to: .email(spec.ownerEmail), region: .eu) }
            == 10010)
        #expect(cloud.stats.violations == 0)
    }

    @Test("SMS login works for a mainland China number with its code, and only for such numbers")
    func smsLogin() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let phone = "+8613800138000"
        let setup = client(cloud, spec, limiter: limiter)
        try await setup.sendVerificationCode(.register, to: .phone(phone), region: .cn)
        let registered = try await setup.register(.phone(phone), countryCode: "+86",
                                                  verificationCode: try #require(cloud.lastVerificationCode),
                                                  password: "phone1234", region: .cn)
        let c = client(cloud, spec, limiter: limiter)
        try await c.sendVerificationCode(.smsLogin, to: .phone(phone), region: .cn)
        let code = try #require(cloud.verificationCode(for: phone))
        #expect(await apiCode { try await c.smsLogin(phoneNumber: phone, verificationCode: "x" + code) } == 10002)
        let session = try await c.smsLogin(phoneNumber: phone, verificationCode: code)
        #expect(session.apikey == registered.apikey && session.region == .cn)
        #expect(await apiCode { try await c.smsLogin(phoneNumber: "+15550100", countryCode: "+1", verificationCode: code) } == 400)
    }

    @Test("Reset password with a code, then change it; only the newest password logs in")
    func passwords() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let c = client(cloud, spec, limiter: limiter)
        try await c.sendVerificationCode(.resetPassword, to: .email(spec.ownerEmail), region: .eu)
        let code = try #require(cloud.lastVerificationCode)
        #expect(await apiCode {
            try await c.resetPassword(.email(spec.ownerEmail), verificationCode: "bad", newPassword: "reset1234", region: .eu)
        } == 10002)
        _ = try await c.resetPassword(.email(spec.ownerEmail), verificationCode: code, newPassword: "reset1234", region: .eu)
        #expect(try await c.families().families.count == 1, "the reset logs in")
        #expect(await apiCode {
            try await client(cloud, spec, limiter: limiter).login(email: spec.ownerEmail, password: spec.ownerPassword,
                                                                  countryCode: "+49", region: .eu)
        } == 10001)
        #expect(await apiCode { try await c.changePassword(old: "wrong1234", new: "changed1234") } == 10001)
        try await c.changePassword(old: "reset1234", new: "changed1234")
        let again = client(cloud, spec, limiter: limiter)
        #expect(try await again.login(email: spec.ownerEmail, password: "changed1234", countryCode: "+49", region: .eu).region == .eu)
    }

    @Test("Profile reads and updates; logout revokes the tokens; closing the account removes it")
    func profileLogoutClose() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let c = try await loggedIn(cloud, spec, limiter: limiter)
        try await c.updateProfile(nickname: "Ada", acceptEmailAd: true)
        let (user, region) = try await c.profile()
        #expect(user.nickname == "Ada" && user.acceptEmailAd == true && region == .eu && user.email == spec.ownerEmail)
        #expect(await apiCode { try await c.updateProfile(accountConsult: false) } == 400)
        let otherApp = CloudClient(credentials: CloudCredentials(appID: "other-app", appSecret: spec.appSecret),
                                   endpoints: c.endpoints, session: c.session, limiter: limiter)
        #expect(await apiCode { try await otherApp.profile() } == 407, "user interfaces check the app id")

        let old = try #require(c.session)
        try await c.logout()
        #expect(c.session == nil)
        let stale = CloudClient(credentials: c.credentials, endpoints: c.endpoints, session: old, limiter: limiter)
        await #expect(throws: CloudError.sessionExpired) { try await stale.things() }

        let guest = try await loggedIn(cloud, spec, guest: true, limiter: limiter)
        try await guest.sendVerificationCode(.closeAccount, to: .email(spec.guestEmail), region: .us)
        let code = try #require(cloud.lastVerificationCode)
        #expect(await apiCode { try await guest.closeAccount(verificationCode: "nope") } == 10002)
        try await guest.closeAccount(verificationCode: code)
        #expect(!cloud.hasAccount(spec.guestEmail))
        #expect(await apiCode {
            try await client(cloud, spec, limiter: limiter).login(email: spec.guestEmail, password: spec.guestPassword,
                                                                  countryCode: "+1", region: .us)
        } == 10003)
    }

    @Test("The home page returns user, homes, things and messages in one call")
    func homepage() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true), ("strip", true)])
        defer { Task { await sim.stop() } }
        let c = try await loggedIn(cloud, spec, limiter: CloudRateLimiter())
        let page = try await c.homepage(HomepageRequest(user: true, families: true, things: (num: 1, beginIndex: nil),
                                                        messages: (num: 5, from: nil)))
        #expect(page.user?.apikey == c.session?.apikey)
        #expect(page.families?.families.count == 1 && page.families?.current?.rooms.count == 3)
        #expect(page.things?.count == 1 && page.thingTotal == 2)
        #expect(page.messages == [])
        let bare = try await c.homepage(HomepageRequest(user: false, families: false, things: nil))
        #expect(bare.user == nil && bare.families == nil && bare.things == nil)
    }

    @Test("Calls that break the rate limit get HTTP 429, which the client reports as rateLimited")
    func rateLimitRefusal() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        // Two limiters, as two unrelated processes behind one IP: the cloud sees both.
        let owner = try await loggedIn(cloud, spec, limiter: CloudRateLimiter())
        try await Task.sleep(for: .milliseconds(600))
        let guest = try await loggedIn(cloud, spec, guest: true, limiter: CloudRateLimiter())
        // The same interface on the same region's server (each region counts its own calls). On
        // a loaded machine the two calls can land 0.5 s apart, which the limit allows: try again.
        var refused = false
        for attempt in 0..<5 where !refused {
            if attempt > 0 { try await Task.sleep(for: .milliseconds(600)) }
            _ = try await owner.families()
            do {
                _ = try await guest.call(.familyList, region: .eu)
            } catch {
                #expect(error == .rateLimited(path: "GET /v2/family", retryAfterMs: 550))
                refused = true
            }
        }
        #expect(refused, "a second caller within 0.5 s was never refused")
        #expect(cloud.stats.violations == 1)
    }

    @Test("The error-code table holds every code of the API document")
    func errorCodes() {
        let documented = [400, 401, 402, 403, 405, 406, 407, 412, 500, 4002, 10001, 10002, 10003, 10004, 10009, 10010,
                          20001, 20002, 20003, 30003, 30007, 30008, 30009, 30010, 30011, 30012, 30013, 30014, 30015,
                          30016, 30017, 30018, 30019, 30022,
                          504]  // the WebSocket's "device does not respond"
        for code in documented { #expect(CloudErrorCode(rawValue: code) != nil, "\(code)") }
        #expect(CloudErrorCode.allCases.count == documented.count)
        #expect(CloudErrorCode.describe(30022).contains("offline"))
    }

    @Test("Every interface of the table is routed by the mock cloud and refuses an unauthorised call")
    func routes() async throws {
        let (sim, cloud, _) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        #expect(CloudAPI.allCases.count == 47)
        #expect(CloudAPI.renameGroup.method == "PUT" && CloudAPI.renameGroup.path == "/v2/device/group")
        #expect(CloudAPI.changePassword.auth == .bearer && CloudAPI.register.auth == .sign)
        for api in CloudAPI.allCases {
            let hasBody = api.method == "POST" || api.method == "PUT"
            let result = await RawHTTP.request(port: cloud.port, method: api.method, path: "/eu" + api.path,
                                               body: hasBody ? Array("{}".utf8) : [],
                                               headers: hasBody ? ["Content-Type": "application/json"] : [:])
            let answer = try JSONValue.parse(try #require(result.body, "\(api)"))
            #expect(result.status == 200 && answer["error"] == 401, "\(api)")
        }
        #expect(cloud.stats.violations == 0)
    }
}
