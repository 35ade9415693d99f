import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// Issue 16, point 5: a hostile neighbour publishes `id=<real id>` through the real avahi-daemon
/// and answers every request with a plain `{"error":0}`.
@Suite("A spoofed announcement does not take over a device", .serialized)
struct SpoofTests {
    /// A store with the fleet's keys and no addresses.
    static func store(for fleet: Fleet) throws -> DeviceStore {
        let store = DeviceStore(directory: temporaryDirectory())
        try store.update { list in
            for d in fleet.devices {
                list.append(StoredDevice(id: d.id, name: d.name, devicekey: d.devicekey, type: d.type, channels: d.channels))
            }
        }
        return store
    }

    static func controller(_ store: DeviceStore) -> LANController {
        var options = LANController.Options()
        options.zeroconf.timeout = .seconds(2)
        return LANController(store: store, options: options)
    }

    static func press(_ sim: Simulator, _ id: String) async {
        _ = await RawHTTP.post(port: sim.controlPort, path: "/devices/\(id)/press", body: Array("{}".utf8))
    }

    @Test("Forged encrypted announcement before and after the real device: commands go to the real one, devices.json keeps its address, its presses still count")
    func forgedEncrypted() async throws {
        let fleet = TestFleet.make([("plug", true)])
        let id = fleet.devices[0].id
        let spoofer = try await Spoofer()
        defer { Task { await spoofer.stop() } }
        // Before the real device exists.
        try await spoofer.announce(Spoofer.forgedEncrypted(id: id))
        let store = try Self.store(for: fleet)
        let lan = Self.controller(store)
        try await eventually("the forged service is in the avahi cache") {
            do { _ = try await lan.lookup(id, cacheOnly: true); return false } catch { return true }
        }
        let sim = Simulator(fleet: fleet)
        try await sim.start()
        defer { Task { await sim.stop() } }
        let device = sim.devices[0]
        let realPort = device.snapshot.port

        let r = try await Router(lan: lan).power(.on, id, via: .lan)
        #expect(r.route == .lan && r.state != nil)
        #expect(device.snapshot.params["switch"] == "on", "the real device was switched")
        #expect(spoofer.requests.isEmpty, "nothing was sent to the spoofer: \(spoofer.requests)")
        var stored = try #require(try store.load().first)
        #expect(stored.host == "127.0.0.1" && stored.port == realPort, "the real address is stored after its proof")
        #expect(stored.lastSeq != 999_999)

        // The spoof again, after the real device, with an even higher seq.
        let watcher = try lan.watch()
        defer { watcher.stop() }
        try await eventually("the real device is watched, up to date") {
            let w = watcher.devices.first { $0.id == id }
            return w?.port == realPort && w?.seq == device.snapshot.seq
        }
        try await spoofer.announce(Spoofer.forgedEncrypted(id: id, seq: 1_000_000))
        try await eventually("the forged announcement is rejected") {
            watcher.rejected.contains { $0.source.port == spoofer.port && $0.source.seq == 1_000_000 }
        }
        let seqBefore = try #require(watcher.devices.first { $0.id == id }?.seq)
        #expect(seqBefore < 999_999)
        // A button press on the real device is still taken.
        await Self.press(sim, id)
        try await eventually("the press is seen") {
            let d = watcher.devices.first { $0.id == id }
            return d?.seq == seqBefore + 1 && d?.state?["switch"] == "off" && d?.port == realPort
        }
        let report = try await lan.survey(timeout: .seconds(3))
        let seen = try #require(report.devices.first { $0.id == id })
        #expect(seen.port == realPort && seen.seq == seqBefore + 1 && seen.rivals.isEmpty)
        #expect(report.rejected.contains { $0.deviceID == id && $0.source.port == spoofer.port })
        // A new revision alone is bookkeeping, written with the next write (DeviceDirectory): write it now.
        lan.directory.flush()
        stored = try #require(try store.load().first)
        #expect(stored.port == realPort && stored.lastSeq == seqBefore + 1 && stored.lastState?["evil"] == nil)
        #expect(try await lan.power(.on, id).state != nil)
        #expect(spoofer.requests.isEmpty)
    }

    @Test("A plain {\"error\":0} for a device with a key is not a success, at a stored address or from the client")
    func plainAckIsNotSuccess() async throws {
        let fleet = TestFleet.make([("plug", true)])
        let id = fleet.devices[0].id
        let spoofer = try await Spoofer()
        defer { Task { await spoofer.stop() } }
        let store = try Self.store(for: fleet)
        // The device's remembered address now belongs to someone else.
        try store.update { $0[0].host = "127.0.0.1"; $0[0].port = spoofer.port }
        let lan = Self.controller(store)
        do {
            let r = try await Router(lan: lan).power(.on, id, via: .lan)
            Issue.record("took the spoofer's reply as success: \(r)")
        } catch {
            // Issue 20: an address that was never verified proves itself first; the command is never sent.
            guard case .lan(.addressUnproven(_, _, _, let why)) = error else { Issue.record("\(error)"); return }
            #expect(why.contains("not the device"), "\(why)")
        }
        #expect(spoofer.requests == ["/zeroconf/info"])
        let target = LANTarget(deviceID: id, host: "127.0.0.1", port: spoofer.port, devicekey: fleet.devices[0].devicekey)
        await #expect(throws: LANError.self) { try await lan.client.send("switch", ["switch": "on"], to: target) }
        // State in the clear for a device with a key cannot be the device's.
        let plainState = try await Spoofer(reply: #"{"seq":7,"error":0,"data":{"switch":"on","evil":1}}"#)
        defer { Task { await plainState.stop() } }
        var there = target
        there.port = plainState.port
        do {
            _ = try await lan.client.send("switch", ["switch": "on"], to: there)
            Issue.record("plain state taken from a host for an encrypted device")
        } catch {
            guard case .invalidReply(_, _, let why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains("plain data"))
        }
        // Without a key nothing can be proven: a DIY device's ack is its word.
        var plain = target
        plain.devicekey = nil
        #expect(try await lan.client.send("switch", ["switch": "on"], to: plain).response.error == 0)
    }

    @Test("DIY: two services claim one id; the stored (last answering) address is preferred, the spoofer's state and seq are not taken")
    func diyTwoSources() async throws {
        let fleet = TestFleet.make([("diy_plug", false)])
        let id = fleet.devices[0].id
        let (spoofer, sim) = try await Spoofer.ahead(of: fleet, Spoofer.forgedPlain(id: id))
        defer { Task { await spoofer.stop(); await sim.stop() } }
        let device = sim.devices[0]
        let store = try Self.store(for: fleet)
        // The real device answered here before.
        try store.update { $0[0].host = "127.0.0.1"; $0[0].port = device.snapshot.port }
        let lan = Self.controller(store)
        let report = try await lan.survey(timeout: .seconds(3))
        let d = try #require(report.devices.first { $0.id == id })
        #expect(d.port == device.snapshot.port && d.state == device.snapshot.params && d.seq == device.snapshot.seq)
        #expect(d.rivals.map(\.port) == [spoofer.port])
        #expect(try store.load()[0].lastState?["evil"] == nil)

        let watcher = try lan.watch()
        defer { watcher.stop() }
        try await eventually("both sources seen") { watcher.devices.first { $0.id == id }?.rivals.count == 1 }
        // The real device's own revisions still count for all the spoofer's seq 999999.
        await Self.press(sim, id)
        try await eventually("the press is seen") {
            let w = watcher.devices.first { $0.id == id }
            return w?.seq == device.snapshot.seq && w?.state?["switch"] == device.snapshot.params["switch"]
        }
        // The address that answered last is preferred.
        let atSpoofer = LANTarget(deviceID: id, host: "127.0.0.1", port: spoofer.port, devicekey: nil)
        _ = try await lan.client.send("info", [:], to: atSpoofer)
        try await eventually("the spoofer answered last") { watcher.devices.first { $0.id == id }?.port == spoofer.port }
        #expect(try await lan.power(.off, id).state != nil, "the stored address is used for commands")
        #expect(device.snapshot.params["switch"] == "off")
        try await eventually("the real device answered last") {
            watcher.devices.first { $0.id == id }?.port == device.snapshot.port
        }
    }
}
