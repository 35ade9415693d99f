import EWeLink
import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// The router's choices: never-announced devices, the learnt LAN timeout, hedging, reachability,
/// cloud presence, policies and channel merging, each against the simulator and the mock cloud.
@Suite("Router decisions")
struct RouterDecisionTests {
    static func lanOptions() -> LANController.Options {
        var options = LANController.Options()
        options.resolveTimeout = .milliseconds(500)
        return options
    }

    @Test("A device never seen on the LAN goes to the cloud at once, with no LAN wait")
    func neverAnnounced() async throws {
        let (sim, c, store) = try await RouterTests.setUp([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        try store.update { list in list[0].host = nil; list[0].port = nil }
        let router = Router(lan: LANController(store: store, options: Self.lanOptions()), cloud: c)
        let r = try await router.power(.on, d.id)
        #expect(r.route == .rest)
        #expect(d.snapshot.params["switch"] == "on")
        // No mDNS lookup (500 ms) and no LAN timeout before the cloud.
        #expect(r.elapsedMilliseconds < 400, "took \(r.elapsedMilliseconds) ms")
    }

    @Test("Right after a sync (no address stored) an announced device is found in the avahi cache and served over the LAN; an unannounced one goes to the cloud at once")
    func addressFromTheMDNSCache() async throws {
        let (sim, c, store) = try await RouterTests.setUp([("plug", true), ("plug", true)], mdns: true, addresses: false)
        defer { Task { await sim.stop() } }
        let (announced, silent) = (sim.devices[0], sim.devices[1])
        _ = await silent.setFaults { $0.announce = false }
        let probe = LANController(store: store)
        try await eventually("the withdrawn service leaves the cache") { try await probe.lookup(silent.id, cacheOnly: true) == nil }
        #expect(try store.load().allSatisfy { $0.host == nil })
        let router = Router(lan: LANController(store: store), cloud: c)
        var r = try await router.power(.on, announced.id)
        #expect(r.route == .lan && announced.snapshot.params["switch"] == "on")
        #expect(try store.load().first { $0.id == announced.id }?.port == announced.snapshot.port, "the address is kept")
        r = try await router.power(.on, silent.id)
        #expect(r.route == .rest && silent.snapshot.params["switch"] == "on")
        #expect(r.elapsedMilliseconds < 300, "the cache lookup took \(r.elapsedMilliseconds) ms")
    }

    @Test("The LAN wait is learnt from the device's own replies: a silent LAN falls back well before the ceiling")
    func adaptiveTimeout() async throws {
        let (sim, c, store) = try await RouterTests.setUp([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        var options = Router.Options()
        options.hedging = false
        let router = Router(lan: LANController(store: store, options: Self.lanOptions()), cloud: c, options: options)
        for action in [PowerAction.on, .off, .on] { #expect(try await router.power(action, d.id).route == .lan) }
        let learnt = try await router.reachability(of: d.id)
        #expect(learnt.lastReplyMs != nil)
        #expect(learnt.lanTimeout < .seconds(1), "learnt \(learnt.lanTimeout)")
        #expect(learnt.lanTimeout >= options.lanTimeoutFloor)
        _ = await d.setFaults { $0.lan = .blackhole }
        let r = try await router.power(.off, d.id)
        #expect(r.route == .rest && d.snapshot.params["switch"] == "off")
        #expect(r.elapsedMilliseconds < 1500, "fell back after \(r.elapsedMilliseconds) ms, ceiling 3000")
        #expect(try await router.reachability(of: d.id).lanFailures == 1)
    }

    @Test("A slow LAN is hedged through the cloud: well under the LAN's 2 s, one final state, the late LAN reply changes nothing")
    func hedging() async throws {
        let (sim, c, store) = try await RouterTests.setUp([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let router = Router(lan: LANController(store: store, options: Self.lanOptions()), cloud: c)
        #expect(try await router.power(.off, d.id).route == .lan)
        _ = await d.setFaults { $0.delayMs = 2000 }
        let r = try await router.power(.on, d.id)
        #expect(r.route == .rest)
        #expect(r.elapsedMilliseconds < 1000, "hedged command took \(r.elapsedMilliseconds) ms")
        #expect(d.snapshot.params["switch"] == "on")
        // The LAN leg arrives later with the same absolute command: still on.
        try await Task.sleep(for: .milliseconds(2300))
        #expect(d.snapshot.params["switch"] == "on")
    }

    @Test("Three LAN failures mark it down: commands go to the cloud without a LAN try until a probe finds it back")
    func reachability() async throws {
        let (sim, c, store) = try await RouterTests.setUp([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        var options = Router.Options()
        options.probeInterval = .seconds(3600)
        let lan = LANController(store: store, options: Self.lanOptions())
        let router = Router(lan: lan, cloud: c, options: options)
        _ = await d.setFaults { $0.lan = .refuse }
        for n in 1...3 {
            #expect(try await router.power(n % 2 == 0 ? .on : .off, d.id).route == .rest)
        }
        var seen = try await router.reachability(of: d.id)
        #expect(seen.lanDown && seen.lanFailures == 3)
        // Down: the first command probes (refused, so the cloud serves it) …
        #expect(try await router.power(.off, d.id).route == .rest)
        #expect(try store.load()[0].lanHealth.lastProbe != nil)
        // … and the next ones do not until the interval has passed, even with the LAN back.
        _ = await d.setFaults { $0.lan = .ok }
        #expect(try await router.power(.on, d.id).route == .rest)
        // A router that may probe now finds the port open and uses the LAN again.
        options.probeInterval = .zero
        let probing = Router(lan: lan, cloud: c, options: options)
        #expect(try await probing.power(.off, d.id).route == .lan)
        seen = try await probing.reachability(of: d.id)
        #expect(!seen.lanDown && seen.lanFailures == 0)
        #expect(d.snapshot.params["switch"] == "off")
    }

    @Test("Cloud presence follows sysmsg; an offline device is not sent through the socket")
    func cloudPresence() async throws {
        let (sim, c, store) = try await RouterTests.setUp([("plug", true)])
        defer { Task { await sim.stop() } }
        let socket = try await CloudSocket.connected(c)
        defer { Task { await socket.stop() } }
        let d = sim.devices[0]
        let router = Router(lan: LANController(store: store, options: Self.lanOptions()), cloud: c, socket: socket)
        d.setOnline(false)
        try await eventually("sysmsg offline seen") { (try? await router.reachability(of: d.id))?.cloudOnline == false }
        #expect(try store.load()[0].cloudOnline == false)
        d.setOnline(true)
        try await eventually("sysmsg online seen") { (try? await router.reachability(of: d.id))?.cloudOnline == true }
        _ = await d.setFaults { $0.lan = .refuse }
        #expect(try await router.power(.on, d.id).route == .websocket)
    }

    @Test("Policies: cloud never tries the LAN, lan never falls back, --via overrides the stored policy")
    func policies() async throws {
        let (sim, c, store) = try await RouterTests.setUp([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let router = Router(lan: LANController(store: store, options: Self.lanOptions()), cloud: c)
        try store.update { list in list[0].policy = .cloud }
        #expect(try await router.power(.on, d.id).route == .rest)
        #expect(try await router.power(.off, d.id, via: .lan).route == .lan)
        try store.update { list in list[0].policy = .lan }
        _ = await d.setFaults { $0.lan = .refuse }
        do {
            _ = try await router.power(.on, d.id)
            Issue.record("a lan-only device fell back")
        } catch {
            guard case .lan(.lanRefused) = error else { Issue.record("\(error)"); return }
        }
        #expect(d.snapshot.params["switch"] == "off")
        #expect(try await router.power(.on, d.id, via: .auto).route == .rest)
        // The policy survives a reload of the store.
        #expect(try store.load()[0].policy == .lan)
    }

    @Test("Channel changes within the merge window reach the device as one switches command")
    func mergesChannels() async throws {
        let (sim, c, store) = try await RouterTests.setUp([("strip", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let router = Router(lan: LANController(store: store, options: Self.lanOptions()), cloud: c)
        _ = try await router.power(.off, d.id)
        let before = d.snapshot.seq
        let results = try await withThrowingTaskGroup(of: EWeLink.CommandResult.self) { group in
            for channel in 0..<4 { group.addTask { try await router.power(.on, d.id, channel: channel) } }
            var all: [EWeLink.CommandResult] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 4 && results.allSatisfy { $0.route == .lan && $0.state != nil })
        #expect(d.snapshot.seq == before + 1, "the device saw \(d.snapshot.seq - before) commands")
        #expect(d.snapshot.params["switches"]!.arrayValue!.allSatisfy { $0["switch"] == "on" })
    }
}
