import EWeLink
import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

@Suite("Router: LAN first, then the cloud")
struct RouterTests {
    /// A synced store (keys from the mock cloud), with the devices' LAN addresses unless left out
    /// (as right after `ewelink sync`); `mdns` announces the devices through the avahi-daemon.
    static func setUp(_ kinds: [(type: String, encrypted: Bool)], mdns: Bool = false, addresses: Bool = true) async throws
        -> (Simulator, CloudClient, DeviceStore) {
        let (sim, cloud, spec) = try await startCloud(kinds, mdns: mdns)
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let store = DeviceStore(directory: temporaryHome())
        _ = try await KeySync.sync(client: c, store: store)
        guard addresses else { return (sim, c, store) }
        try store.update { list in
            for i in list.indices {
                list[i].host = "127.0.0.1"
                list[i].port = sim.device(list[i].id)!.snapshot.port
                list[i].addressVerified = true
            }
        }
        return (sim, c, store)
    }

    @Test("A reachable device is served over the LAN; a refused one through REST, on the same device state")
    func restFallback() async throws {
        let (sim, c, store) = try await Self.setUp([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        var options = LANController.Options()
        options.resolveTimeout = .milliseconds(500)
        let router = Router(lan: LANController(store: store, options: options), cloud: c)
        var r = try await router.power(.on, d.id)
        #expect(r.route == .lan && d.snapshot.params["switch"] == "on")
        _ = await d.setFaults { $0.lan = .refuse }
        r = try await router.power(.off, d.id)
        #expect(r.route == .rest && r.state != nil)
        #expect(d.snapshot.params["switch"] == "off")
        r = try await router.send(["switch": "on"], to: d.id)
        #expect(r.route == .rest && d.snapshot.params["switch"] == "on")
        // Without a cloud session the LAN error stands.
        await #expect(throws: ControlError.self) { try await Router(lan: LANController(store: store, options: options)).power(.off, d.id) }
    }

    @Test("With a WebSocket session up, the fallback goes through it")
    func websocketFallback() async throws {
        let (sim, c, store) = try await Self.setUp([("strip", true)])
        defer { Task { await sim.stop() } }
        let socket = try await CloudSocket.connected(c)
        defer { Task { await socket.stop() } }
        let d = sim.devices[0]
        _ = await d.setFaults { $0.lan = .blackhole }
        var options = LANController.Options()
        options.zeroconf.timeout = .milliseconds(400)
        options.resolveTimeout = .milliseconds(500)
        let router = Router(lan: LANController(store: store, options: options), cloud: c, socket: socket)
        let r = try await router.power(.on, d.id, channel: 3)
        #expect(r.route == .websocket && r.state != nil)
        #expect(d.snapshot.params["switches"]!.arrayValue![3]["switch"] == "on")
    }

    @Test("A device that answers with an error is not retried through the cloud")
    func deviceErrorStands() async throws {
        let (sim, c, store) = try await Self.setUp([("plug", true)])
        defer { Task { await sim.stop() } }
        let router = Router(lan: LANController(store: store), cloud: c)
        let seq = sim.devices[0].snapshot.seq
        do {
            _ = try await router.send(["switch": "sideways"], to: sim.devices[0].id)
            Issue.record("accepted")
        } catch {
            guard case .lan(.lanError(422, _)) = error else { Issue.record("\(error)"); return }
        }
        #expect(sim.devices[0].snapshot.seq == seq)
    }
}
