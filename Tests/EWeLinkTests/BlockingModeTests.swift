import EWeLink
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// Runs a blocking call on a thread of its own: on one of Swift concurrency's few threads it
/// would hold back the in-process simulator that must answer it (and every other test).
func blocking<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
    let result = await withCheckedContinuation { (c: CheckedContinuation<Result<T, E>, Never>) in
        Thread { c.resume(returning: Result { () throws(E) -> T in try body() }) }.start()
    }
    return try result.get()
}

/// Issue 23: the blocking mode of `EWeLinkClient` (what `ewelink on|off|toggle|status` use before
/// Swift concurrency starts), against the simulated fleet's real encrypted wire protocol, and its
/// hand-over to the asynchronous calls.
@Suite("EWeLinkClient's blocking mode")
struct BlockingModeTests {
    /// A started fleet of `kinds` over HTTP only (no mDNS: the blocking mode never asks it).
    static func simulator(_ kinds: [(String, Bool)]) async throws -> Simulator {
        var options = Simulator.Options()
        options.publishMDNS = false
        let sim = Simulator(fleet: TestFleet.make(kinds), options: options)
        try await sim.start()
        return sim
    }

    /// A client over a fresh store holding `devices` at their addresses, proven (as `devices add`
    /// leaves them), without a cloud.
    static func lanClient(_ devices: [SimulatedDevice]) throws -> EWeLinkClient {
        let configuration = EWeLinkConfiguration(storeDirectory: temporaryHome())
        let store = DeviceStore(directory: configuration.storeDirectory)
        for d in devices { try StoreFixture.add(d, to: store) }
        return EWeLinkClient(configuration: configuration)
    }

    @Test("on, toggle and a channel of a strip are done on the calling thread over the LAN: route lan, typed state, the device switched; stateBlocking reads the device's own answer")
    func done() async throws {
        let sim = try await Self.simulator([("plug", true), ("strip", true)])
        defer { Task { await sim.stop() } }
        let (plug, strip) = (sim.devices[0], sim.devices[1])
        let client = try Self.lanClient([plug, strip])

        guard case .done(let on) = await blocking({ client.powerBlocking(.on, DeviceReference(plug.id)) }) else {
            Issue.record("on was not done in the blocking mode")
            return
        }
        #expect(on.route == .lan && on.deviceID == plug.id && on.state?.isOn == true && on.seq != nil)
        #expect(plug.snapshot.params["switch"] == "on")

        guard case .done(let toggled) = await blocking({ client.powerBlocking(.toggle, DeviceReference(plug.id)) }) else {
            Issue.record("toggle was not done in the blocking mode")
            return
        }
        #expect(toggled.state?.isOn == false && plug.snapshot.params["switch"] == "off", "the toggle read the device's state first")

        guard case .done(let channel) = await blocking({ client.powerBlocking(.on, DeviceReference(strip.id), channel: 3) }) else {
            Issue.record("a strip's channel was not done in the blocking mode")
            return
        }
        #expect(channel.state?.isOn(channel: 3) == true && channel.state?.type == .strip)
        #expect(strip.snapshot.params["switches"]?.arrayValue?.first { $0["outlet"] == 3 }?["switch"] == "on")

        guard case .done(let state) = await blocking({ client.stateBlocking(of: DeviceReference(strip.id)) }) else {
            Issue.record("the state was not read in the blocking mode")
            return
        }
        #expect(state.source == .http && state.route == .lan && state.state.isOn(channel: 3) == true)
        // What the replies taught is in the store, as after the asynchronous calls.
        let stored = try #require(try client.devices().first { $0.id == plug.id })
        #expect(stored.lastState?["switch"] == "off" && !stored.lanHealth.replyMs.isEmpty)
    }

    @Test("What the blocking mode cannot do is handed over, and the asynchronous call finishes it: an id mDNS would have to find, the cloud route, a refused LAN; a channel the device lacks fails for good")
    func handOvers() async throws {
        let sim = try await Self.simulator([("plug", true)])
        defer { Task { await sim.stop() } }
        let plug = sim.devices[0]
        let client = try Self.lanClient([plug])

        guard case .handOver = await blocking({ client.powerBlocking(.on, DeviceReference("1000ffffff")) }) else {
            Issue.record("an id not in the store was not handed over")
            return
        }
        guard case .handOver(let viaCloud) = await blocking({ client.powerBlocking(.on, DeviceReference(plug.id), via: .cloud) }) else {
            Issue.record("the cloud route was not handed over")
            return
        }
        do {
            _ = try await client.power(.on, DeviceReference(plug.id), via: .cloud, continuing: viaCloud)
            Issue.record("the cloud route worked without a cloud")
        } catch {
            guard case .noCloudSession = error else { throw error }
        }
        // A channel a plug does not have: the asynchronous call would refuse it the same way.
        guard case .failed(let refused) = await blocking({ client.powerBlocking(.on, DeviceReference(plug.id), channel: 3) }) else {
            Issue.record("a channel the plug lacks was not refused")
            return
        }
        #expect(refused.description.contains("single-channel"), "\(refused)")
        #expect(plug.snapshot.params["switch"] != "on", "nothing was switched")

        // The LAN refuses: without a cloud, the failure is the asynchronous call's to report (a
        // configured address is not looked up again).
        _ = await plug.setFaults { $0.lan = .refuse }
        guard case .handOver(let refusedLAN) = await blocking({ client.powerBlocking(.on, DeviceReference(plug.id)) }) else {
            Issue.record("a refused LAN was not handed over")
            return
        }
        do {
            _ = try await client.power(.on, DeviceReference(plug.id), continuing: refusedLAN)
            Issue.record("a refused LAN switched the device")
        } catch {
            guard case .lan(.lanRefused) = error else { throw error }
        }
    }

    @Test("The LAN refuses a logged-in client's device: the hand-over carries the LAN's failure and the continuation goes to the cloud at once (route rest), the device switched there")
    func cloudContinuation() async throws {
        let spec = CloudTestFleet([("plug", true)])
        let sim = try await spec.startSimulator()
        defer { Task { await sim.stop() } }
        let plug = sim.devices[0]
        let configuration = EWeLinkClientTests.configuration(sim, spec)
        try await EWeLinkClient.withClient(configuration) { client in
            try await client.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49")
            _ = try await client.syncKeys()
            _ = try await client.addDevice(plug.id, host: "127.0.0.1", port: plug.snapshot.port, key: DeviceKey(plug.config.devicekey!))
        }
        let client = EWeLinkClient(configuration: configuration)
        guard case .done(let lan) = await blocking({ client.powerBlocking(.on, DeviceReference(plug.id)) }) else {
            Issue.record("a logged-in client's proven device was not switched in the blocking mode")
            return
        }
        #expect(lan.route == .lan)

        _ = await plug.setFaults { $0.lan = .refuse }
        guard case .handOver(let handOver) = await blocking({ client.powerBlocking(.off, DeviceReference(plug.id)) }) else {
            Issue.record("a refused LAN was not handed over")
            return
        }
        #expect(handOver.lanFailure != nil && handOver.params?["switch"] == "off", "\(handOver.reason)")
        let r = try await client.power(.off, DeviceReference(plug.id), continuing: handOver)
        #expect(r.route == .rest && plug.snapshot.params["switch"] == "off")
        await client.shutdown()
    }

    @Test("The blocking exchange: a refused port is lanRefused, a silent one lanTimeout at its limit, a host name is not for it")
    func exchangeFailures() async throws {
        let sim = try await Self.simulator([("plug", true)])
        defer { Task { await sim.stop() } }
        let plug = sim.devices[0]
        let target = LANTarget(deviceID: plug.id, host: "127.0.0.1", port: plug.snapshot.port, devicekey: plug.config.devicekey)
        #expect(!ZeroconfClient.canSendBlocking(to: LANTarget(deviceID: plug.id, host: "localhost", devicekey: nil)))
        #expect(ZeroconfClient.canSendBlocking(to: LANTarget(deviceID: plug.id, host: "::1", devicekey: nil)))

        _ = await plug.setFaults { $0.lan = .refuse }
        do {
            _ = try await blocking { () throws(LANError) -> LANReply in
                try ZeroconfClient().sendBlocking("switch", ["switch": "on"], to: target, timeout: .seconds(3))
            }
            Issue.record("a refused port answered")
        } catch {
            guard case .lanRefused = error else { throw error }
        }
        _ = await plug.setFaults { $0.lan = .blackhole }
        do {
            _ = try await blocking { () throws(LANError) -> LANReply in
                try ZeroconfClient().sendBlocking("switch", ["switch": "on"], to: target, timeout: .milliseconds(300),
                                                  reportingTimeoutAs: .seconds(2))
            }
            Issue.record("a silent port answered")
        } catch {
            guard case .lanTimeout(_, _, let afterMs) = error else { throw error }
            #expect(afterMs == 2000, "the limit the caller names is the one reported")
        }
        _ = await plug.setFaults { $0.lan = .reset }
        do {
            _ = try await blocking { () throws(LANError) -> LANReply in
                try ZeroconfClient().sendBlocking("switch", ["switch": "on"], to: target, timeout: .seconds(3))
            }
            Issue.record("a resetting port answered")
        } catch {
            guard case .lanReset(_, _, let attempts) = error else { throw error }
            #expect(attempts == 6, "retried after each reset, as the event-loop path does")
        }
        #expect(plug.snapshot.params["switch"] != "on")
    }
}
