import EWeLink
@testable import EWeLinkCloud
import EWeLinkLAN
@testable import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// An account spread over three homes: 100 own devices in the first, the other two mixing own
/// devices and devices a second account shares, 125 in all; only the mock cloud runs.
struct ThreeHomeAccount {
    let appID = "fidelityApp" + String(UInt32.random(in: 0...UInt32.max))
    let appSecret = "fidelitySecret-" + UUID().uuidString
    let email = "many@example.com"
    let password = "many-" + UUID().uuidString
    let ownerKey = UUID().uuidString.lowercased()
    let friendKey = UUID().uuidString.lowercased()
    let fleet: Fleet
    let homes: [(name: String, own: [String], shared: [String])]

    init() {
        func ids(_ n: Int) -> [String] { (0..<n).map { _ in TestFleet.freshID() } }
        let main = ids(100), cottageOwn = ids(8), officeOwn = ids(7), friends = ids(10)
        homes = [("Main", main, []), ("Cottage", cottageOwn, Array(friends.prefix(5))),
                 ("Office", officeOwn, Array(friends.suffix(5)))]
        var devices: [JSONValue] = []
        for id in main + cottageOwn + officeOwn + friends {
            devices.append(["id": .string(id), "type": "plug", "port": 0, "devicekey": .string(UUID().uuidString.lowercased()),
                            "apikey": .string(friends.contains(id) ? friendKey : ownerKey)])
        }
        let cloud: JSONValue = [
            "appId": .string(appID), "appSecret": .string(appSecret),
            "accounts": [
                ["email": .string(email), "password": .string(password), "countryCode": "+49", "region": "eu",
                 "apikey": .string(ownerKey), "shared": .array(friends.map(JSONValue.string)),
                 "homes": .array(homes.map { ["name": .string($0.name), "devices": .array(($0.own + $0.shared).map(JSONValue.string))] })],
                ["email": "friend@example.com", "password": "friend-password-1", "countryCode": "+1", "region": "us",
                 "apikey": .string(friendKey)],
            ],
        ]
        fleet = try! Fleet.parse(JSONValue.object(["devices": .array(devices), "cloud": cloud]).serializedBytes,
                                 file: "three-homes")
    }

    /// The mock cloud alone (no LAN side) on a free port.
    func startCloud() async throws -> MockCloud {
        let cloud = MockCloud(fleet: fleet.cloud!, devices: fleet.devices.map(SimulatedDevice.init))
        try await cloud.start(port: 0)
        return cloud
    }

    func client(_ cloud: MockCloud, limiter: CloudRateLimiter = CloudRateLimiter()) -> CloudClient {
        CloudClient(credentials: CloudCredentials(appID: appID, appSecret: appSecret),
                    endpoints: CloudEndpoints(override: cloud.baseURL), limiter: limiter)
    }
}

@Suite("Cloud fidelity: the client reads the cloud as the document describes it")
struct CloudFidelityTests {
    @Test("sync gets all 125 keys of 3 homes (negative, sparse indexes; 4 pages of 30), own and shared, with each owner's apikey")
    func syncEveryHome() async throws {
        let account = ThreeHomeAccount()
        let cloud = try await account.startCloud()
        defer { Task { await cloud.stop() } }
        let c = account.client(cloud)
        _ = try await c.login(email: account.email, password: account.password, countryCode: "+49", region: .eu)
        // The mock numbers things like the real service: an offset-style beginIndex=0 finds nothing.
        let offsetStyle = try await c.call(.thingList, query: [("num", "30"), ("beginIndex", "0")])
        #expect(offsetStyle["thingList"]?.arrayValue?.isEmpty == true && offsetStyle["total"]?.intValue == 100)
        let before = cloud.calls(to: .thingList)
        let store = DeviceStore(directory: temporaryHome())
        let report = try await KeySync.sync(client: c, store: store)
        #expect(report.total == 125 && report.added.count == 125 && report.withoutKey.isEmpty)
        #expect(report.homes.map(\.name) == ["Main", "Cottage", "Office"])
        #expect(report.homes.map(\.devices) == [100, 13, 12] && report.homes.map(\.shared) == [0, 5, 5])
        #expect(cloud.calls(to: .thingList) - before == 6, "4 pages of 30 for the main home, one page for each other")
        let stored = Dictionary(uniqueKeysWithValues: try store.load().map { ($0.id, $0) })
        #expect(stored.count == 125)
        for device in account.fleet.devices {
            let s = try #require(stored[device.id], "\(device.id) synced")
            #expect(s.devicekey == device.devicekey && s.apikey == device.apikey, "key and owner apikey of \(device.id)")
        }
        #expect(cloud.stats.violations == 0)
    }

    @Test("Paging stops on a short page, never loops on a server that repeats itself, and de-duplicates")
    func pagingIsBounded() async throws {
        let account = ThreeHomeAccount()
        let cloud = try await account.startCloud()
        defer { Task { await cloud.stop() } }
        let c = account.client(cloud)
        _ = try await c.login(email: account.email, password: account.password, countryCode: "+49", region: .eu)
        let families = try await c.families()
        let main = try #require(families.families.first { $0.name == "Main" })
        let items = try await c.thingItems(familyID: main.id)
        #expect(items.count == 100 && Set(items.map(CloudClient.itemKey)).count == 100)
        let indexes = items.compactMap { $0["index"]?.intValue }
        #expect(indexes == indexes.sorted() && indexes.first! < 0, "negative, ascending")
    }

    @Test("Items of any type carrying a deviceid are devices (type 5: shared into a home); groups are not")
    func itemTypes() throws {
        let shared: JSONValue = ["itemType": 5, "index": -3, "itemData": ["deviceid": "1000aaaa01", "name": "Lamp",
                                                                              "apikey": "owner", "devicekey": "k"]]
        let thing = try #require(CloudThing(item: shared))
        #expect(thing.deviceID == "1000aaaa01" && thing.isShared)
        let group: JSONValue = ["itemType": 3, "index": 1, "itemData": ["id": "g1", "name": "G", "mainDeviceId": "1000aaaa01"]]
        #expect(CloudThing(item: group) == nil)
        if case .group = try #require(CloudItem(group)) {} else { Issue.record("a group item is a group") }
    }

    @Test("10004 sends verification codes, password resets, registration and SMS login to the account's region")
    func redirectEverySignedCall() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        let owner = CloudAccountID.email(spec.ownerEmail)
        try await c.sendVerificationCode(.resetPassword, to: owner, region: .us)
        let code = try #require(cloud.verificationCode(for: spec.ownerEmail))
        let reset = try await c.resetPassword(owner, verificationCode: code, newPassword: "newPassword123", region: .cn)
        #expect(reset.region == .eu)
        let newcomer = CloudAccountID.email("newcomer@example.com")
        try await c.sendVerificationCode(.register, to: newcomer, region: .as)
        let registered = try await c.register(newcomer, countryCode: "+49",
                                              verificationCode: try #require(cloud.verificationCode(for: "newcomer@example.com")),
                                              password: "newcomer12345", region: .us)
        #expect(registered.region == .eu, "a +49 account lives in eu")
    }

    @Test("Concurrent logins redirected to different regions each land in their own")
    func concurrentRedirects() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let a = client(cloud, spec, limiter: limiter), b = client(cloud, spec, limiter: limiter)
        async let owner = a.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .cn)
        async let guest = b.login(email: spec.guestEmail, password: spec.guestPassword, countryCode: "+1", region: .cn)
        let (o, g) = try await (owner, guest)
        #expect(o.region == .eu && g.region == .us)
    }

    @Test("Two requests that find the token expired share one refresh (the refresh token is single-use)")
    func singleFlightRefresh() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true), ("strip", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        cloud.expireTokens()
        let refreshes = cloud.calls(to: .refresh)
        async let first = c.status(of: sim.devices[0].id)
        async let second = c.families()
        let (state, homes) = try await (first, second)
        #expect(state["switch"] != nil && !homes.families.isEmpty)
        #expect(cloud.calls(to: .refresh) - refreshes == 1)
    }

    @Test("A WebSocket query reply echoes the command's sequence, as the real service does")
    func queryReplyEchoesSequence() async throws {
        let (sim, _, socket, _) = try await loggedInSocket([("plug", true)])
        defer { Task { await socket.stop(); await sim.stop() } }
        let d = sim.devices[0]
        let reply = try await socket.query(d.id, apikey: d.config.apikey, params: ["switch"])
        #expect(reply.sequence != nil && reply.params?["switch"] != nil)
    }

    @Test("A WebSocket query answered without a sequence (the document's form) is matched to its device")
    func queryReplyWithoutSequence() async throws {
        let (sim, cloud, socket, _) = try await loggedInSocket([("plug", true)])
        defer { Task { await socket.stop(); await sim.stop() } }
        cloud.omitQuerySequence(true)
        let d = sim.devices[0]
        let started = ContinuousClock.now
        let reply = try await socket.query(d.id, apikey: d.config.apikey, params: ["switch"])
        #expect(reply.sequence == nil && reply.params?["switch"] != nil)
        #expect(ContinuousClock.now - started < .seconds(2), "answered, not timed out")
    }

    @Test("WebSocket error 504 (device does not respond) is a typed device-offline error")
    func offlineIs504() async throws {
        let (sim, _, socket, _) = try await loggedInSocket([("plug", true)])
        defer { Task { await socket.stop(); await sim.stop() } }
        let d = sim.devices[0]
        d.setOnline(false)
        await #expect(throws: CloudError.deviceOffline(deviceID: d.id, path: "ws update")) {
            try await socket.update(d.id, apikey: d.config.apikey, params: ["switch": "on"])
        }
    }

    @Test("config.hb 0 means no heartbeats; hbInterval defaults to 90 s; the mock tolerates pings at hbInterval + 7")
    func heartbeatConfig() async throws {
        guard case .reply(_, let absent) = try CloudSocketMessage.parse(#"{"error":0,"apikey":"a","config":{"hb":1},"sequence":"1"}"#),
              case .reply(_, let off) = try CloudSocketMessage.parse(#"{"error":0,"apikey":"a","config":{"hb":0,"hbInterval":145},"sequence":"1"}"#)
        else { Issue.record("not replies"); return }
        #expect(absent == CloudHeartbeat(enabled: true, interval: 90) && off?.enabled == false)
        #expect(CloudHeartbeat(enabled: true, interval: 145).pingEvery < .seconds(145 + 7))
        for interval in [1, 2, 145] {
            var fleet = CloudTestFleet([("plug", true)], hbInterval: interval).fleet.cloud!
            #expect(MockCloud.idleLimit(fleet)! > Double(interval + 7), "a client pinging at hbInterval + 7 is not cut")
            fleet.heartbeat = false
            #expect(MockCloud.idleLimit(fleet) == nil)
        }
        // Against the mock with hb 0: connected, and not one ping.
        let spec = CloudTestFleet([("plug", true)], hbInterval: 1, heartbeat: false)
        let sim = try await spec.startSimulator()
        let c = CloudClient(credentials: CloudCredentials(appID: spec.appID, appSecret: spec.appSecret),
                            endpoints: CloudEndpoints(override: sim.cloud!.baseURL), limiter: CloudRateLimiter())
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let socket = try await CloudSocket.connected(c)
        defer { Task { await socket.stop(); await sim.stop() } }
        try await Task.sleep(for: .seconds(2.5))
        #expect(socket.isConnected && sim.cloud!.pingCount == 0)
    }

    @Test("selfApikey is sent for shared devices only, and the mock requires it for them")
    func selfApikey() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        let guest = try await c.login(email: spec.guestEmail, password: spec.guestPassword, countryCode: "+1", region: .us)
        let socket = try await CloudSocket.connected(c)
        defer { Task { await socket.stop() } }
        let d = sim.devices[0]
        let shared = socket.command("update", d.id, apikey: d.config.apikey, params: [:], sequence: "1")
        #expect(shared["selfApikey"] == .string(guest.apikey))
        let own = socket.command("update", d.id, apikey: guest.apikey, params: [:], sequence: "1")
        #expect(own["selfApikey"] == nil)
        #expect(try await socket.update(d.id, apikey: d.config.apikey, params: ["switch": "on"]).error == 0)
        #expect(d.snapshot.params["switch"] == "on")
    }

    @Test("Mock strictness: numbers as strings, app id on refresh, rate limits per region, region-less base, group/status saves only")
    func mockStrictness() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let d = sim.devices[0]
        await #expect(throws: CloudError.api(code: 400, message: "type, id and params required", path: CloudAPI.setStatus.path)) {
            try await c.call(.setStatus, body: ["type": "1", "id": .string(d.id), "params": ["switch": "on"]])
        }
        // Refresh without the app id header is refused even with a valid token.
        let session = try #require(c.session)
        let refused = await RawHTTP.request(port: cloud.port, method: "POST", path: "/eu" + CloudAPI.refresh.path,
                                            body: Array(#"{"rt":"\#(session.rt)"}"#.utf8),
                                            headers: ["Authorization": "Bearer \(session.at)", "Content-Type": "application/json"])
        #expect(try JSONValue.parse(try #require(refused.body))["error"]?.intValue == 407)
        // Each region is its own server: calls to two regions within 500 ms are no breach.
        let before = cloud.stats.violations
        _ = await RawHTTP.request(port: cloud.port, method: "GET", path: "/cn/v2/utils/get-region?countryCode=%2B86", body: [])
        _ = await RawHTTP.request(port: cloud.port, method: "GET", path: "/us/v2/utils/get-region?countryCode=%2B86", body: [])
        #expect(cloud.stats.violations == before)
        // A region-less base answers for every region (no redirect).
        let plain = CloudClient(credentials: CloudCredentials(appID: spec.appID, appSecret: spec.appSecret),
                                endpoints: CloudEndpoints(override: "http://127.0.0.1:\(cloud.port)"), limiter: CloudRateLimiter())
        let s = try await plain.login(email: spec.guestEmail, password: spec.guestPassword, countryCode: "+1", region: .cn)
        let guestThings = try await plain.things()
        #expect(s.region == .us && !guestThings.isEmpty)
        // group/status only saves the group's status.
        let group = try await c.addGroup(name: "G", mainDeviceID: d.id)
        let state = d.snapshot.params["switch"]
        let flipped: JSONValue = state == "on" ? "off" : "on"
        try await c.setGroupStatus(group.id, params: ["switch": flipped])
        #expect(d.snapshot.params["switch"] == state)
        #expect(try await c.status(ofGroup: group.id)["switch"] == flipped)
    }

    @Test("The login user has accountLevel; OTA type and forceTime are strings; updatedThing decodes as object or list (the document says object)")
    func documentedShapes() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        let body: JSONObject = ["countryCode": "+49", "email": .string(spec.ownerEmail), "password": .string(spec.ownerPassword)]
        let data = try await c.call(.login, body: body, region: .eu)
        #expect(data["user"]?["accountLevel"]?.isNumber == true)
        let ota = try await OTAFleet.start()
        defer { Task { await ota.sim.stop() } }
        let plug = ota.sim.devices[0]
        let answer = try await ota.client.call(.otaQuery, body: ["deviceInfoList": [["deviceid": .string(plug.id),
                                                                                    "model": "PSF-BD1-GL", "version": "3.5.0"]]])
        let offer = try #require(answer["otaInfoList"]?.arrayValue?.first)
        #expect(offer["type"]?.stringValue != nil && offer["forceTime"]?.stringValue != nil)
        #expect(try await ota.client.otaQuery([(plug.id, "PSF-BD1-GL", "3.5.0")]).first?.version == "3.6.1")
        // Tags: the document gives `updatedThing` as an object; a list of one is read too.
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let updated = try await c.setTags(sim.devices[0].id, ["k": "v"])
        #expect(updated?.deviceID == sim.devices[0].id && updated?.tags["k"] == "v")
        let item: JSONValue = ["itemType": 1, "itemData": ["deviceid": "1000aaaa02", "name": "x", "apikey": "k"]]
        #expect(CloudClient.updatedThing(["updatedThing": item])?.deviceID == "1000aaaa02")
        #expect(CloudClient.updatedThing(["updatedThing": [item]])?.deviceID == "1000aaaa02")
    }

    @Test("--via cloud works through REST for a device added by hand with only its id and key (no apikey)")
    func restNeedsNoApikey() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let store = DeviceStore(directory: temporaryHome())
        let d = sim.devices[0]
        try store.update { $0.append(StoredDevice(id: d.id, name: "by hand", devicekey: d.config.devicekey)) }
        let router = Router(lan: LANController(store: store), cloud: c)
        let result = try await router.power(.on, "by hand", via: .cloud)
        #expect(result.route == .rest && d.snapshot.params["switch"] == "on")
    }
}
