import EWeLink
import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Synchronization
import Testing
import TestSupport

/// Collects a socket's events for polling.
final class EventLog: Sendable {
    private let events = Mutex<[CloudEvent]>([])
    init(_ socket: CloudSocket) {
        Task { [weak self] in
            for await e in socket.events { self?.events.withLock { $0.append(e) } }
        }
    }
    var all: [CloudEvent] { events.withLock { $0 } }
}

func loggedInSocket(_ kinds: [(type: String, encrypted: Bool)], hbInterval: Int = 145,
                    reconnectBase: Duration = .milliseconds(200)) async throws
    -> (Simulator, MockCloud, CloudSocket, EventLog) {
    let (sim, cloud, spec) = try await startCloud(kinds, hbInterval: hbInterval)
    let c = client(cloud, spec, limiter: CloudRateLimiter())
    _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
    var options = CloudSocket.Options()
    options.reconnectBase = reconnectBase
    let socket = CloudSocket(client: c, options: options)
    let log = EventLog(socket)
    socket.start()
    try await socket.waitUntilConnected()
    return (sim, cloud, socket, log)
}

@Suite("Cloud WebSocket session against the mock cloud")
struct CloudSocketTests {
    @Test("dispatch → userOnline → update and query by sequence; the LAN device follows")
    func commands() async throws {
        let (sim, cloud, socket, _) = try await loggedInSocket([("strip", true)])
        defer { Task { await socket.stop(); await sim.stop() } }
        #expect(cloud.userOnlineCount == 1 && socket.connectionCount == 1)
        let d = sim.devices[0]
        let reply = try await socket.update(d.id, apikey: d.config.apikey, params: ["switches": [["switch": "on", "outlet": 1]]])
        #expect(reply.error == 0 && reply.deviceID == d.id)
        #expect(d.snapshot.params["switches"]!.arrayValue![1]["switch"] == "on")
        let q = try await socket.query(d.id, apikey: d.config.apikey, params: ["switches"])
        #expect(q.params?["switches"]?.arrayValue?.count == 4 && q.params?.count == 1)
        d.setOnline(false)
        do {
            _ = try await socket.update(d.id, apikey: d.config.apikey, params: ["switches": [["switch": "off", "outlet": 1]]])
            Issue.record("an offline device accepted a command")
        } catch {
            guard case .deviceOffline(d.id, _) = error else { Issue.record("\(error)"); return }
        }
    }

    @Test("Device changes and online/offline arrive as events")
    func pushes() async throws {
        let (sim, _, socket, log) = try await loggedInSocket([("plug", true)])
        defer { Task { await socket.stop(); await sim.stop() } }
        let d = sim.devices[0]
        d.press()
        try await eventually("update pushed") {
            log.all.contains { if case .update(d.id, let p) = $0 { return p["switch"] == "on" } else { return false } }
        }
        d.setOnline(false)
        try await eventually("sysmsg pushed") { log.all.contains(.online(deviceID: d.id, false)) }
    }

    @Test("Heartbeats keep the session past the server's idle limit")
    func heartbeat() async throws {
        let (sim, cloud, socket, _) = try await loggedInSocket([("plug", true)], hbInterval: 2)
        defer { Task { await socket.stop(); await sim.stop() } }
        try await Task.sleep(for: .seconds(5))
        #expect(cloud.pingCount >= 2, "a ping every 1.6 s")
        #expect(socket.isConnected && socket.connectionCount == 1 && cloud.userOnlineCount == 1)
    }

    @Test("A dropped socket reconnects with one new userOnline; commands during the gap fail clearly")
    func reconnect() async throws {
        let (sim, cloud, socket, log) = try await loggedInSocket([("plug", true)], reconnectBase: .milliseconds(300))
        defer { Task { await socket.stop(); await sim.stop() } }
        cloud.dropSockets()
        try await eventually("noticed the drop") { log.all.contains { if case .disconnected = $0 { return true } else { return false } } }
        let d = sim.devices[0]
        if !socket.isConnected {
            await #expect(throws: CloudError.self) { try await socket.update(d.id, apikey: d.config.apikey, params: ["switch": "on"]) }
        }
        try await eventually("reconnected") { socket.isConnected && socket.connectionCount == 2 }
        #expect(cloud.userOnlineCount == 2, "one handshake per connection, no storm")
        #expect(try await socket.update(d.id, apikey: d.config.apikey, params: ["switch": "on"]).error == 0)
    }

    @Test("An expired token is refreshed with rt before the handshake")
    func expiredToken() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        let first = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        cloud.expireTokens()
        let socket = CloudSocket(client: c)
        socket.start()
        try await socket.waitUntilConnected()
        #expect(c.session?.at != first.at)
        await socket.stop()
    }

    @Test("A session kicked by a login elsewhere backs off instead of storming the cloud")
    func kicked() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let mine = client(cloud, spec, limiter: limiter)
        _ = try await mine.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let elsewhere = client(cloud, spec, limiter: limiter)
        _ = try await elsewhere.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        var options = CloudSocket.Options()
        options.reconnectBase = .milliseconds(400)
        let socket = CloudSocket(client: mine, options: options)
        let log = EventLog(socket)
        let before = cloud.stats.calls
        socket.start()
        try await Task.sleep(for: .seconds(2.5))
        await socket.stop()
        #expect(!socket.isConnected && cloud.userOnlineCount == 0)
        #expect(log.all.contains { if case .disconnected(let r) = $0 { return r.contains("log in again") } else { return false } })
        // Each attempt is dispatch + refresh; back-off 0.4 s, 0.8 s, 1.6 s allows at most 3 attempts in 2.5 s.
        #expect(cloud.stats.calls - before <= 6, "\(cloud.stats.calls - before) calls")
        #expect(cloud.stats.violations == 0)
    }
}

@Suite("Cloud OTA against the mock")
struct CloudOTATests {
    @Test("ota/query offers the fleet's update; upgrade reboots the device into it and it reports fwVersion")
    func upgrade() async throws {
        let id = TestFleet.freshID()
        let key = UUID().uuidString.lowercased()
        let owner = UUID().uuidString.lowercased()
        let secret = "s-" + UUID().uuidString
        let doc: JSONValue = [
            "devices": [["id": .string(id), "type": "plug", "port": 0, "devicekey": .string(key), "fwVersion": "3.5.0",
                         "otaAvailable": ["version": "3.6.1", "binList": [["name": "user1.bin",
                                                                           "downloadUrl": "http://127.0.0.1:1/user1.bin",
                                                                           "digest": .string(String(repeating: "a", count: 64))]]]]],
            "cloud": ["appId": "ota-app", "appSecret": .string(secret),
                      "accounts": [["email": "o@example.com", "password": "pw", "region": "us", "apikey": .string(owner),
                                    "devices": [.string(id)]]]],
        ]
        let sim = try await Simulator.startedWithCloud(try Fleet.parse(doc.serializedBytes, file: "ota"))
        defer { Task { await sim.stop() } }
        let c = CloudClient(credentials: CloudCredentials(appID: "ota-app", appSecret: secret),
                            endpoints: CloudEndpoints(override: sim.cloud!.baseURL), limiter: CloudRateLimiter())
        _ = try await c.login(email: "o@example.com", password: "pw", countryCode: "+1")
        let things = try await c.things()
        #expect(things.first?.apikey == owner, "ownership through the account's device list")
        let offers = try await c.otaQuery([(id, "PSF-BD1-GL", "3.5.0")])
        #expect(offers.count == 1 && offers[0].version == "3.6.1")
        #expect(try await c.otaQuery([(id, "PSF-BD1-GL", "3.6.1")]).isEmpty, "no offer when already current")

        let socket = CloudSocket(client: c)
        let log = EventLog(socket)
        socket.start()
        defer { Task { await socket.stop() } }
        try await socket.waitUntilConnected()
        let ack = try await socket.upgrade(id, apikey: owner, model: "PSF-BD1-GL", offer: offers[0])
        #expect(ack.error == 0)
        try await eventually(timeout: .seconds(10), "offline, back online, new version") {
            log.all.contains(.online(deviceID: id, false)) && log.all.contains(.online(deviceID: id, true))
                && log.all.contains(.update(deviceID: id, params: ["fwVersion": "3.6.1"]))
        }
        #expect(sim.devices[0].snapshot.fwVersion == "3.6.1")
    }
}

@Suite("One cloud session per process")
struct SharedSocketTests {
    @Test("One session, made by its owner and passed to every user (router, events, OTA): one userOnline")
    func shared() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let socket = CloudSocket(client: c)
        let store = DeviceStore(directory: temporaryHome())
        try store.update { $0.append(StoredDevice(id: sim.devices[0].id)) }
        let router = Router(lan: LANController(store: store), cloud: c, socket: socket)
        let updater = CloudOTAUpdater(cloud: c, socket: socket, store: store)
        #expect(updater.socket === socket)
        socket.start()
        updater.socket.start()
        defer { Task { await socket.stop() } }
        try await socket.waitUntilConnected()
        try await Task.sleep(for: .milliseconds(200))
        #expect(cloud.userOnlineCount == 1 && cloud.openSockets == 1)
        #expect(try await router.reachability(of: sim.devices[0].id).cloudSession == .websocket)
    }
}
