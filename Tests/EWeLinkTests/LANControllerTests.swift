import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// A simulator with mDNS plus a store holding the fleet's keys.
struct LANFixture {
    let sim: Simulator
    let store: DeviceStore
    let controller: LANController

    static func start(_ kinds: [(type: String, encrypted: Bool)], storeHosts: Bool = false,
                      timeout: Duration = .seconds(2)) async throws -> LANFixture {
        let sim = Simulator(fleet: TestFleet.make(kinds))
        try await sim.start()
        let store = DeviceStore(directory: temporaryDirectory())
        try store.update { list in
            for d in sim.devices {
                list.append(StoredDevice(id: d.id, name: d.config.name, devicekey: d.config.devicekey,
                                         apikey: d.config.apikey, uiid: d.config.uiid, type: d.config.type,
                                         channels: d.config.channels,
                                         host: storeHosts ? "127.0.0.1" : nil, port: storeHosts ? d.snapshot.port : nil))
            }
        }
        var options = LANController.Options()
        options.zeroconf.timeout = timeout
        return LANFixture(sim: sim, store: store, controller: LANController(store: store, options: options))
    }

    func fault(_ id: String, _ body: String) async {
        _ = await RawHTTP.post(port: sim.controlPort, path: "/devices/\(id)/fault", body: Array(body.utf8))
    }

    func stop() async { await sim.stop() }
}

@Suite("LAN control through the simulator and the real avahi-daemon", .serialized)
struct LANControllerTests {
    @Test("discover finds the whole fleet with decrypted state; addresses are stored once a device answered there")
    func discoverFleet() async throws {
        let f = try await LANFixture.start([("plug", true), ("strip", true), ("diy_plug", false), ("enhanced_plug", true),
                                            ("th_plug", true), ("fan_light", true), ("light", true)])
        defer { Task { await f.stop() } }
        let (found, complete) = try await f.controller.discover(timeout: .seconds(5))
        #expect(complete)
        for device in f.sim.devices {
            let d = try #require(found.first { $0.id == device.id }, "\(device.config.type) found")
            #expect(d.host == "127.0.0.1" && d.port == device.snapshot.port)
            #expect(d.encrypted == !device.isDIY)
            #expect(d.state == device.snapshot.params)
            #expect(d.type == device.config.type)
        }
        var stored = try f.store.load()
        #expect(stored.allSatisfy { $0.lastState != nil })
        // An announced address is only tried: it is stored after the device answered there correctly.
        #expect(stored.allSatisfy { $0.host == nil })
        let plug = f.sim.devices[0], diy = f.sim.devices[2]
        #expect(try await f.controller.power(.on, plug.id).state != nil)
        #expect(try await f.controller.power(.on, diy.id).state != nil)
        stored = try f.store.load()
        for device in [plug, diy] {
            #expect(stored.first { $0.id == device.id }?.port == device.snapshot.port, "\(device.config.type)")
        }
    }

    @Test("on/off/toggle on a plug, strip channels, fan_light and DIY; state reported back")
    func power() async throws {
        let f = try await LANFixture.start([("plug", true), ("strip", true), ("diy_plug", false), ("fan_light", true)])
        defer { Task { await f.stop() } }
        let (plug, strip, diy, fan) = (f.sim.devices[0], f.sim.devices[1], f.sim.devices[2], f.sim.devices[3])
        var r = try await f.controller.power(.on, plug.config.name.uppercased())
        #expect(r.route == .lan && r.state != nil && r.state?["switch"] == "on" && r.seq == 2)
        #expect(plug.snapshot.params["switch"] == "on")
        try await eventually("TXT shows on") {
            (try? await f.controller.state(of: plug.id).state["switch"]) == "on"
        }
        r = try await f.controller.power(.toggle, plug.id)
        #expect(plug.snapshot.params["switch"] == "off" && r.state?["switch"] == "off")

        r = try await f.controller.power(.on, strip.id, channel: 2)
        #expect(strip.snapshot.params["switches"]!.arrayValue!.map { $0["switch"]!.stringValue! } == ["off", "off", "on", "off"])
        r = try await f.controller.power(.on, strip.id)
        #expect(strip.snapshot.params["switches"]!.arrayValue!.allSatisfy { $0["switch"] == "on" })
        try await eventually("strip TXT all on") {
            (try? await f.controller.state(of: strip.id).state["switches"]?.arrayValue?.allSatisfy { $0["switch"] == "on" }) == true
        }
        r = try await f.controller.power(.toggle, strip.id, channel: 1)
        #expect(strip.snapshot.params["switches"]!.arrayValue![1]["switch"] == "off")
        await #expect(throws: ControlError.self) { try await f.controller.power(.on, strip.id, channel: 4) }

        r = try await f.controller.power(.on, diy.id)
        #expect(diy.snapshot.params["switch"] == "on")
        r = try await f.controller.power(.on, fan.id, channel: 1)
        #expect(fan.snapshot.params["fan"] == "on" && fan.snapshot.params["light"] == "off")
    }

    @Test("A DIY device not in the store is controlled by its id (found over mDNS)")
    func diyByID() async throws {
        let f = try await LANFixture.start([("diy_plug", false)])
        defer { Task { await f.stop() } }
        try f.store.update { $0.removeAll() }
        let id = f.sim.devices[0].id
        let r = try await f.controller.power(.on, id)
        #expect(r.state != nil && f.sim.devices[0].snapshot.params["switch"] == "on")
        await #expect(throws: ControlError.self) { try await f.controller.power(.on, "10deadbeef") }
    }

    @Test("Each simulator fault maps to its error")
    func faults() async throws {
        let f = try await LANFixture.start([("plug", true)], storeHosts: true, timeout: .milliseconds(700))
        defer { Task { await f.stop() } }
        let id = f.sim.devices[0].id
        func error(_ fault: String) async -> LANError? {
            await f.fault(id, fault)
            do {
                _ = try await f.controller.power(.on, id)
                return nil
            } catch {
                if case .lan(let e) = error { return e }
                return nil
            }
        }
        guard case .lanRefused? = await error(#"{"lan":"refuse"}"#) else { Issue.record("refuse"); return }
        guard case .lanTimeout? = await error(#"{"lan":"blackhole"}"#) else { Issue.record("blackhole"); return }
        guard case .lanReset? = await error(#"{"lan":"reset"}"#) else { Issue.record("reset"); return }
        // After those failures the address proves itself again before a command (issue 20): the
        // garbage is the answer to that proof.
        guard case .addressUnproven(_, _, _, let why)? = await error(#"{"lan":"garbage"}"#),
              why.contains("garbage") || why.contains("JSON") else { Issue.record("garbage"); return }
        await f.fault(id, #"{"lan":"ok"}"#)
        #expect(try await f.controller.power(.on, id).state != nil)

        // A wrong key is reported as such.
        try f.store.update { $0[0].devicekey = "wrong" }
        await #expect(throws: ControlError.self) { try await f.controller.power(.off, id) }
        do { _ = try await f.controller.power(.off, id) } catch {
            guard case .lan(.keyRejected) = error else { Issue.record("\(error)"); return }
        }
        // No key at all for an encrypted device.
        try f.store.update { $0[0].devicekey = nil }
        do { _ = try await f.controller.power(.off, id); Issue.record("no error") } catch {
            guard case .lan(.deviceKeyMissing) = error else { Issue.record("\(error)"); return }
        }
    }

    @Test("A known host is used without mDNS; a stale one triggers a fresh resolve and one retry")
    func knownAndStaleHost() async throws {
        let f = try await LANFixture.start([("plug", true)], storeHosts: true)
        defer { Task { await f.stop() } }
        let device = f.sim.devices[0]
        // Not announced at all: the stored address still works.
        await f.fault(device.id, #"{"announce":false}"#)
        #expect(try await f.controller.power(.on, device.id).state != nil)
        await f.fault(device.id, #"{"announce":true}"#)
        // A wrong remembered port: the command finds the device again and updates the store.
        let unused = LoopbackHTTPServer(port: 0, oneConnectionAtATime: true) { _ in .reset }
        try await unused.start()
        let deadPort = unused.port
        await unused.stop()
        try f.store.update { $0[0].port = deadPort }
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await f.controller.power(.off, device.id).state != nil)
        #expect(try f.store.load()[0].port == device.snapshot.port)
        // A configured host is never replaced.
        try f.store.update { $0[0].port = deadPort; $0[0].hostConfigured = true }
        await #expect(throws: ControlError.self) { try await f.controller.power(.on, device.id) }
        #expect(try f.store.load()[0].port == deadPort)
    }

    @Test("discover follows TXT changes (watch), including a reboot back to seq 1")
    func watchChanges() async throws {
        let f = try await LANFixture.start([("plug", true)])
        defer { Task { await f.stop() } }
        let device = f.sim.devices[0]
        let discovery = try f.controller.watch()
        defer { discovery.stop() }
        try await eventually { discovery.devices.contains { $0.id == device.id } }
        device.press()
        try await eventually("seq 2") { discovery.devices.first { $0.id == device.id }?.seq == 2 }
        #expect(discovery.devices.first { $0.id == device.id }?.state?["switch"] == "on")
        await f.fault(device.id, #"{"reboot":true}"#)
        try await eventually(timeout: .seconds(15), "back with seq 1") {
            discovery.devices.first { $0.id == device.id }?.seq == 1
        }
    }

    @Test("50 concurrent commands to one device are serialized and all complete")
    func concurrency() async throws {
        let f = try await LANFixture.start([("plug", true)], storeHosts: true)
        defer { Task { await f.stop() } }
        let device = f.sim.devices[0]
        let client = ZeroconfClient()
        let target = LANTarget(deviceID: device.id, host: "127.0.0.1", port: device.snapshot.port,
                               devicekey: device.config.devicekey)
        let results = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<50 {
                group.addTask {
                    let reply = try? await client.send("switch", ["switch": n % 2 == 0 ? "on" : "off"], to: target)
                    return reply?.resets == 0 && reply?.response.error == 0
                }
            }
            var ok = 0
            for await r in group where r { ok += 1 }
            return ok
        }
        #expect(results == 50, "no request needed a reset retry: one connection at a time")
        #expect(device.snapshot.seq == 51)
    }
}
