import EWeLink
import EWeLinkHubClient
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// Issue 20, point 1: a neighbour captures a device's genuine announcement (multicast: anyone on the
/// LAN receives it), publishes the same TXT under another service name through the real
/// avahi-daemon, and answers every request as firmware would (`seq`, the request's `sequence`,
/// `error: 0`), even with the announcement's encrypted data. The TXT decrypts with the real key, so
/// the announcement passes the trust rule; the address must still prove itself before a command
/// there counts.
@Suite("A replayed announcement cannot make a command succeed", .serialized)
struct ReplayTests {
    static func controller(_ store: DeviceStore) -> LANController {
        var options = LANController.Options()
        options.zeroconf.timeout = .seconds(2)
        return LANController(store: store, options: options)
    }

    /// A store with the device's key and nothing else.
    static func keyOnly(_ config: DeviceConfig) throws -> DeviceStore {
        let store = DeviceStore(directory: temporaryDirectory())
        try store.update { $0.append(StoredDevice(id: config.id, devicekey: config.devicekey, type: config.type)) }
        return store
    }

    /// The real device's announcement, captured through the avahi-daemon; the device then goes away.
    static func capturedThenGone(_ fleet: Fleet) async throws -> (txt: [(key: String, value: String)], announcement: TXTAnnouncement) {
        let sim = Simulator(fleet: fleet)
        try await sim.start()
        let captured = try await Spoofer.capture(fleet.devices[0].id)
        await sim.stop()
        return captured
    }

    @Test("Only the impostor announces the device: --via lan fails with addressUnproven, only info reached it, nothing is learnt",
          arguments: ["echo", "echo with the announcement's data"])
    func impostorAlone(_ mode: String) async throws {
        let fleet = TestFleet.make([("plug", true)])
        let config = fleet.devices[0]
        let (txt, announcement) = try await Self.capturedThenGone(fleet)
        let reply: Spoofer.Reply = mode == "echo" ? .echo
            : .echoWithAnnouncedData(iv: try #require(announcement.iv), data: announcement.data)
        // The device is gone, so its own service name is free: a one-shot search waits for it.
        let spoofer = try await Spoofer(name: "eWeLink_\(config.id)", answering: reply)
        defer { Task { await spoofer.stop() } }
        try await spoofer.announce(txt)
        let store = try Self.keyOnly(config)
        let lan = Self.controller(store)
        try await eventually("the replayed announcement is found (it decrypts with the key)") {
            (try? await lan.lookup(config.id, cacheOnly: true))?.port == spoofer.port
        }

        do {
            let r = try await Router(lan: lan).power(.on, config.id, via: .lan)
            Issue.record("a replayed announcement made a command succeed: \(r)")
        } catch {
            guard case .lan(.addressUnproven(let id, _, let port, let why)) = error else { Issue.record("\(error)"); return }
            #expect(id == config.id && port == spoofer.port)
            #expect(why.contains(mode == "echo" ? "no encrypted state" : "names no device"), "\(why)")
            #expect(ExitStatus.code(for: error) == ExitStatus.unreachable)
            #expect(error.description.contains("did not prove it is device \(config.id)"))
        }
        #expect(spoofer.requests == ["/zeroconf/info"], "only the proof was asked: \(spoofer.requests)")
        let stored = try #require(try store.load().first)
        #expect(stored.host == nil && stored.lastSeq == nil && stored.lastState == nil && !stored.addressVerified)
        #expect(stored.lanHealth.replyMs.isEmpty, "no reply time learnt from the impostor")
        // The scan does not take the impostor's word for the key either.
        let findings = await LANScanner(port: spoofer.port).scan(["127.0.0.1"],
                                                                  keys: [.init(deviceID: config.id, devicekey: config.devicekey!)])
        #expect(findings.first?.keyVerified == false && findings.first?.deviceID == nil, "\(findings)")
    }

    @Test("The replay at a remembered (unverified) address with the real device announced: the real device is switched, the impostor gets only info")
    func impostorAtRememberedAddress() async throws {
        let (sim, config, spoofer) = try await Spoofer.plugAndReplay()
        defer { Task { await spoofer.stop(); await sim.stop() } }
        let device = sim.devices[0]
        // An old store (before addresses had to prove themselves) remembers the impostor's port.
        let store = try Self.keyOnly(config)
        try store.update { $0[0].host = "127.0.0.1"; $0[0].port = spoofer.port }
        let lan = Self.controller(store)

        let r = try await Router(lan: lan).power(.on, config.id, via: .lan)
        #expect(r.route == .lan && r.state != nil)
        #expect(device.snapshot.params["switch"] == "on", "the real device was switched")
        #expect(spoofer.requests == ["/zeroconf/info"], "\(spoofer.requests)")
        let stored = try #require(try store.load().first)
        #expect(stored.port == device.snapshot.port && stored.addressVerified, "the proven address replaced the impostor's")
        // Verified now: the next process goes straight there.
        _ = try await Router(lan: Self.controller(store)).power(.off, config.id, via: .lan)
        #expect(device.snapshot.params["switch"] == "off")
        #expect(try store.load().first?.addressVerified == true)
        #expect(spoofer.requests == ["/zeroconf/info"])
    }

    @Test("Replayed after the real device, in three fresh homes: the command reaches the real device every time")
    func freshHomes() async throws {
        let (sim, config, spoofer) = try await Spoofer.plugAndReplay()
        defer { Task { await spoofer.stop(); await sim.stop() } }
        let device = sim.devices[0]
        let probe = Self.controller(try Self.keyOnly(config))
        try await eventually("both services are in the daemon's cache") {
            let found = try? await probe.lookup(config.id, cacheOnly: true)
            return (found.map { [$0.source] + $0.rivals } ?? []).count == 2
        }
        for (i, action) in [PowerAction.on, .off, .on].enumerated() {
            let store = try Self.keyOnly(config)
            let r = try await Router(lan: Self.controller(store)).power(action, config.id, via: .lan)
            #expect(r.route == .lan, "home \(i)")
            #expect(device.snapshot.params["switch"] == (action == .on ? "on" : "off"), "home \(i)")
            let stored = try #require(try store.load().first)
            #expect(stored.port == device.snapshot.port && stored.addressVerified, "home \(i)")
        }
        #expect(!spoofer.requests.contains("/zeroconf/switch"), "\(spoofer.requests)")
    }
}
