import EWeLink
import EWeLinkSimulator
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport

/// `EWeLinkClient` end to end against the simulated fleet and its mock cloud: what an app does.
@Suite("EWeLinkClient: one client for apps, the CLI and the hub")
struct EWeLinkClientTests {
    /// A configuration for `spec`'s mock cloud in a fresh folder.
    static func configuration(_ sim: Simulator, _ spec: CloudTestFleet) -> EWeLinkConfiguration {
        EWeLinkConfiguration(storeDirectory: temporaryHome(),
                             cloud: .init(appID: spec.appID, appSecret: spec.appSecret, region: .eu, apiURL: sim.cloud!.baseURL))
    }

    /// A client logged in and synced through its own calls, then a fresh one over the same folder
    /// (with the WebSocket session a login makes available).
    static func loggedIn(_ sim: Simulator, _ spec: CloudTestFleet) async throws -> EWeLinkClient {
        let configuration = configuration(sim, spec)
        try await EWeLinkClient.withClient(configuration) { client in
            #expect(!client.isLoggedIn)
            try await client.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49")
            let report = try await client.syncKeys()
            #expect(report.total == sim.devices.count)
        }
        let client = EWeLinkClient(configuration: configuration)
        #expect(client.isLoggedIn)
        return client
    }

    @Test("login, syncKeys, discover (named, typed), commands by id and by name with route and typed state, cloud fallback")
    func commands() async throws {
        let spec = CloudTestFleet([("plug", true), ("strip", true)])
        let sim = try await spec.startSimulator(mdns: true)
        defer { Task { await sim.stop() } }
        let client = try await Self.loggedIn(sim, spec)
        let (plug, strip) = (sim.devices[0], sim.devices[1])
        let names = Dictionary(uniqueKeysWithValues: try client.devices().map { ($0.id, $0.name ?? "") })

        let survey = try await client.discover()
        let found = try #require(survey.devices.first { $0.id == strip.id })
        #expect(found.name == names[strip.id] && found.state?.channels.count == 4 && found.type == .strip)

        var r = try await client.turnOn(DeviceReference(names[strip.id]!), channel: 2)
        #expect(r.route == .lan && r.deviceID == strip.id && r.name == names[strip.id])
        #expect(r.state?.isOn(channel: 2) == true && r.state?.type == .strip && r.elapsed > .zero)
        #expect(strip.snapshot.params["switches"]?.arrayValue?.first { $0["outlet"] == 2 }?["switch"] == "on")

        // The state read from the announcement, once the device has re-announced (at most once a second).
        try await eventually("the announcement says channel 2 is on") {
            let s = try await client.state(of: DeviceReference(strip.id))
            return s.route == .lan && s.state.isOn(channel: 2) == true && s.name == names[strip.id] && s.source == .mdns
        }

        _ = await plug.setFaults { $0.lan = .refuse }
        r = try await client.turnOff(DeviceReference(plug.id))
        #expect(r.route == .rest, "no WebSocket session is up in a one-shot client")
        #expect(plug.snapshot.params["switch"] == "off" && r.state?.isOn == false)
        await client.shutdown()
    }

    @Test("addDevice by address: the device proves itself with its key (kind and channels learnt); a wrong key stores nothing; scan finds it")
    func addAndScan() async throws {
        let spec = CloudTestFleet([("strip", true), ("diy_plug", false)])
        let sim = try await spec.startSimulator()
        defer { Task { await sim.stop() } }
        let (strip, diy) = (sim.devices[0], sim.devices[1])
        let client = EWeLinkClient(configuration: EWeLinkConfiguration(storeDirectory: temporaryHome()))
        do {
            try await client.addDevice(strip.id, host: "127.0.0.1", port: strip.snapshot.port,
                                       key: DeviceKey("00000000-0000-0000-0000-000000000000"))
            Issue.record("a wrong key was accepted")
        } catch {
            guard case .lan = error else { throw error }
        }
        #expect(try client.devices().isEmpty, "nothing stored")
        let secret = try #require(strip.config.devicekey)
        let key = try #require(DeviceKey(secret))
        let added = try await client.addDevice(strip.id, host: "127.0.0.1", port: strip.snapshot.port, key: key, name: "Desk")
        #expect(added.outcome == .added && added.answer?.channels == 4)
        let stored = try #require(try client.devices().first)
        #expect(stored.identity.name == "Desk" && stored.identity.key == key && stored.shape.type == .strip)
        #expect(stored.address.host == "127.0.0.1" && stored.address.configured && !"\(stored)".contains(key.secret))
        #expect(try await client.turnOn("desk", channel: 1).route == .lan)

        let report = try await client.scan(try AddressRange("127.0.0.1"), port: diy.snapshot.port, add: true)
        #expect(report.findings.first?.deviceID == diy.id && report.added == [diy.id])
        #expect(try client.devices().contains { $0.id == diy.id && $0.address.port == diy.snapshot.port })
    }

    @Test("events: two consumers each get every event, named and typed; one that stops leaves; shutdown ends the rest")
    func eventsForSeveralConsumers() async throws {
        let spec = CloudTestFleet([("strip", true)])
        let sim = try await spec.startSimulator(mdns: true)
        defer { Task { await sim.stop() } }
        let client = try await Self.loggedIn(sim, spec)
        let strip = sim.devices[0]
        let name = try #require(try client.devices().first?.name)
        let first = try client.events()
        let second = try client.events()
        let seen = Collected()
        let stripID = strip.id
        let readers = [first, second].enumerated().map { i, stream in
            Task { for await e in stream where e.deviceID == stripID { seen.withLock { $0[i, default: []].append(e) } } }
        }
        // From now: the strip, on the LAN before the consumers came, is taken in without an event.
        try await Task.sleep(for: .milliseconds(1500))
        #expect(seen.withLock { $0.isEmpty }, "nothing happened yet: \(seen.withLock { $0 })")
        strip.press(outlet: 3)
        func pressed(_ events: [DeviceEvent]?) -> DeviceEvent? {
            events?.last { $0.kind == .state && $0.state?.isOn(channel: 3) == true }
        }
        try await eventually("both consumers see the press") { seen.withLock { pressed($0[0]) != nil && pressed($0[1]) != nil } }
        let event = try #require(seen.withLock { pressed($0[0]) })
        #expect(event.name == name && event.state?.type == .strip && event.state?.channels.count == 4)
        #expect(seen.withLock { pressed($0[0]) == pressed($0[1]) })

        // A consumer that stops leaves; the other keeps getting events.
        readers[1].cancel()
        _ = await readers[1].value
        // Starting from the devices already seen: an `appeared` for each (other tests' simulators
        // announce on the same avahi-daemon), the strip's with its state now, before anything live.
        let knownLater = try client.events(from: .knownDevices)
        await client.shutdown()
        _ = await readers[0].value   // ends: shutdown finishes every stream
        var all: [DeviceEvent] = []
        for await e in knownLater { all.append(e) }   // ends too
        let replay = all.prefix { $0.kind == .appeared }
        let stripFirst = try #require(all.first { $0.deviceID == strip.id }, "\(all.map(\.deviceID))")
        #expect(stripFirst.kind == .appeared && stripFirst.state?.isOn(channel: 3) == true && stripFirst.name == name)
        #expect(replay.contains { $0.deviceID == strip.id }, "the strip's replay comes before any live event")
        #expect(!client.isCloudConnected)
    }

    @Test("run() as a swift-service-lifecycle Service: holds the WebSocket session until a graceful shutdown, then ends cleanly")
    func serviceLifecycle() async throws {
        let spec = CloudTestFleet([("plug", true)])
        let sim = try await spec.startSimulator(mdns: true)
        defer { Task { await sim.stop() } }
        let client = try await Self.loggedIn(sim, spec)
        let events = try client.events()
        let group = ServiceGroup(configuration: .init(services: [client], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        try await eventually("the WebSocket session is up") { client.isCloudConnected }
        let plug = sim.devices[0]
        // A command while the session is up and the LAN refuses goes through the WebSocket.
        _ = await plug.setFaults { $0.lan = .refuse }
        let r = try await client.turnOn(DeviceReference(plug.id))
        #expect(r.route == .websocket && plug.snapshot.params["switch"] == "on")
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(!client.isCloudConnected)
        var iterator = events.makeAsyncIterator()
        while let _ = await iterator.next() {}   // the stream has ended
        #expect(sim.cloud!.stats.violations == 0)
    }
}

/// Events per consumer, shared with the tasks that read them.
final class Collected: Sendable {
    private let events = Mutex<[Int: [DeviceEvent]]>([:])
    func withLock<T>(_ body: (inout [Int: [DeviceEvent]]) -> T) -> T { events.withLock { body(&$0) } }
}
