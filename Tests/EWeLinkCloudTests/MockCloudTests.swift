import EWeLink
import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

@Suite("Cloud REST client against the mock cloud")
struct MockCloudTests {
    @Test("Login follows the region redirect, keeps the session 0600, and never stores the password")
    func login() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let home = temporaryHome()
        let c = client(cloud, spec, home: home, limiter: limiter)
        let session = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .us)
        #expect(session.region == .eu)
        let path = home + "/cloud.json"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains(spec.ownerPassword) && !text.contains(spec.appSecret))
        #expect(try CloudSessionStore(directory: home).load() == session)
        #expect(cloud.stats.violations == 0)
    }

    @Test("Wrong password, unknown user, wrong signature and wrong app id are typed cloud errors")
    func refusals() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        func code(_ c: CloudClient, _ email: String, _ password: String) async -> Int? {
            do {
                _ = try await c.login(email: email, password: password, countryCode: "+49", region: .eu)
                return 0
            } catch {
                if case .api(let code, _, _) = error { return code }
                return nil
            }
        }
        #expect(await code(client(cloud, spec, limiter: limiter), spec.ownerEmail, "wrong") == 10001)
        #expect(await code(client(cloud, spec, limiter: limiter), "nobody@example.com", "x") == 10003)
        #expect(await code(client(cloud, spec, secret: "not-the-secret", limiter: limiter), spec.ownerEmail, spec.ownerPassword) == 401)
        #expect(await code(client(cloud, spec, appID: "someone-else", limiter: limiter), spec.ownerEmail, spec.ownerPassword) == 407)
        #expect(cloud.stats.violations == 0, "the shared limiter kept every call 500 ms apart")
        await #expect(throws: CloudError.notLoggedIn) { try await client(cloud, spec, limiter: limiter).things() }
    }

    @Test("The thing list is fetched in pages of 30 and includes shared devices")
    func paging() async throws {
        let kinds = Array(repeating: (type: "plug", encrypted: true), count: 34) + [("diy_plug", false)]
        let (sim, cloud, spec) = try await startCloud(kinds)
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let owner = client(cloud, spec, limiter: limiter)
        _ = try await owner.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let things = try await owner.things()
        #expect(things.count == 35)
        #expect(Set(things.map(\.deviceID)) == Set(sim.devices.map(\.id)))
        let plug = try #require(things.first { $0.deviceID == sim.devices[0].id })
        #expect(plug.devicekey == sim.devices[0].config.devicekey && plug.itemType == 1)
        #expect(plug.uiid == 1 && plug.fwVersion == sim.devices[0].config.fwVersion)

        let guest = client(cloud, spec, limiter: limiter)
        _ = try await guest.login(email: spec.guestEmail, password: spec.guestPassword, countryCode: "+1", region: .us)
        let shared = try await guest.things()
        #expect(shared.count == 1 && shared[0].itemType == 2 && shared[0].sharedBy != nil)
        #expect(shared[0].devicekey == sim.devices[0].config.devicekey)
        #expect(cloud.stats.violations == 0)
    }

    @Test("An expired access token is refreshed once with rt, transparently")
    func refresh() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let home = temporaryHome()
        let c = client(cloud, spec, home: home, limiter: limiter)
        let first = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        cloud.expireTokens()
        let things = try await c.things()
        #expect(things.count == 1)
        let now = try #require(c.session)
        #expect(now.at != first.at && now.rt != first.rt)
        #expect(try CloudSessionStore(directory: home).load()?.at == now.at, "the refreshed session is saved")
    }

    @Test("REST status reads and changes the same device the LAN side serves")
    func status() async throws {
        let (sim, cloud, spec) = try await startCloud([("strip", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let c = client(cloud, spec, limiter: limiter)
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let device = sim.devices[0]
        try await c.setStatus(of: device.id, params: ["switches": [["switch": "on", "outlet": 2]]])
        #expect(device.snapshot.params["switches"]!.arrayValue![2]["switch"] == "on")
        #expect(device.snapshot.params["switches"]!.arrayValue!.count == 4, "outlets merged, not replaced")
        let params = try await c.status(of: device.id, params: ["switches", "fwVersion"])
        #expect(params.keys.sorted() == ["fwVersion", "switches"])
        sim.devices[0].setOnline(false)
        await #expect(throws: CloudError.self) {
            try await c.setStatus(of: device.id, params: ["switches": [["switch": "off", "outlet": 2]]])
        }
    }

    @Test("The limiter spaces calls to one interface by 500 ms or fails fast when asked")
    func rateLimits() async throws {
        let limiter = CloudRateLimiter()
        let start = ContinuousClock.now
        for _ in 0..<3 { try await limiter.call("GET /x") }
        #expect(ContinuousClock.now - start >= .milliseconds(1000))
        try await limiter.call("GET /other")
        await #expect(throws: CloudError.self) { try await limiter.acquire("GET /x", failFast: true) }
        let small = CloudRateLimiter(minimumSpacing: .zero, window: .seconds(60), maxCallsPerWindow: 3)
        for _ in 0..<3 { try await small.call("GET /y") }
        await #expect(throws: CloudError.self) { try await small.acquire("GET /y", failFast: true) }
    }

    @Test("A call to an interface waits for the answer of the one in flight, then the spacing")
    func oneInFlight() async throws {
        let limiter = CloudRateLimiter()
        try await limiter.acquire("GET /slow")
        await #expect(throws: CloudError.self) { try await limiter.acquire("GET /slow", failFast: true) }
        let answered = ContinuousClock.now + .milliseconds(300)
        async let second: Void = limiter.acquire("GET /slow")
        try await Task.sleep(until: answered)
        limiter.finished("GET /slow")
        try await second
        #expect(ContinuousClock.now - answered >= .milliseconds(500), "spaced from the first one's answer")
        limiter.finished("GET /slow")
    }
}

extension CloudRateLimiter {
    /// One call that is answered at once.
    func call(_ interface: String) async throws {
        try await acquire(interface)
        finished(interface)
    }
}

@Suite("Rate limits shared across processes")
struct SharedLimiterTests {
    @Test("Two limiters on the same ledger file (two CLI runs) keep 500 ms apart together")
    func ledger() async throws {
        let path = temporaryHome() + "-calls.json"
        let a = CloudRateLimiter(sharedThrough: path), b = CloudRateLimiter(sharedThrough: path)
        let start = ContinuousClock.now
        try await a.call("GET /v2/device/thing")
        try await b.call("GET /v2/device/thing")
        try await a.call("GET /v2/device/thing")
        #expect(ContinuousClock.now - start >= .milliseconds(1000))
        await #expect(throws: CloudError.self) { try await b.acquire("GET /v2/device/thing", failFast: true) }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}

@Suite("Cloud bad input")
struct CloudBadInputTests {
    @Test("A revoked session says to log in again; the session file is kept whole")
    func revoked() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let home = temporaryHome()
        let c = client(cloud, spec, home: home, limiter: CloudRateLimiter())
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let saved = try Data(contentsOf: URL(fileURLWithPath: home + "/cloud.json"))
        cloud.revokeSessions()
        await #expect(throws: CloudError.sessionExpired) { try await c.things() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: home + "/cloud.json")) == saved)
    }

    @Test("Something that is not the cloud (HTML, nothing listening) gives typed errors")
    func notTheCloud() async throws {
        let html = LoopbackHTTPServer(port: 0, oneConnectionAtATime: false) { _ in
            .respond(status: .internalServerError, contentType: "text/html", body: Array("<html>oops</html>".utf8))
        }
        try await html.start()
        defer { Task { await html.stop() } }
        let c = CloudClient(credentials: CloudCredentials(appID: "a", appSecret: "s"),
                            endpoints: CloudEndpoints(override: "http://127.0.0.1:\(html.port)"), limiter: CloudRateLimiter())
        do {
            _ = try await c.login(email: "x@example.com", password: "p", countryCode: "+1")
            Issue.record("accepted HTML")
        } catch {
            guard case .invalidResponse = error else { Issue.record("\(error)"); return }
        }
        await html.stop()
        let gone = CloudClient(credentials: CloudCredentials(appID: "a", appSecret: "s"),
                               endpoints: CloudEndpoints(override: "http://127.0.0.1:\(html.port)"), limiter: CloudRateLimiter())
        do {
            _ = try await gone.login(email: "x@example.com", password: "p", countryCode: "+1")
            Issue.record("no error")
        } catch {
            guard case .transport = error else { Issue.record("\(error)"); return }
        }
    }
}
