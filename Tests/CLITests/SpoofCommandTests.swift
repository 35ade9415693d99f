import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// Issue 16, point 5, through the CLI: a forged service published through the real avahi-daemon.
@Suite("ewelink against a spoofed announcement", .serialized)
struct SpoofCommandTests {
    @Test("on --lan-only with a forged encrypted announcement published first: the real device is switched, the spoofer gets nothing, devices.json keeps the real address; discover reports the forgery")
    func onLANOnly() async throws {
        let fleet = TestFleet.make([("plug", true)])
        let config = fleet.devices[0]
        let (spoofer, sim) = try await Spoofer.ahead(of: fleet, Spoofer.forgedEncrypted(id: config.id))
        defer { Task { await spoofer.stop(); await sim.stop() } }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-spoof-\(UUID().uuidString)").path
        let env = ["EWELINK_HOME": home]
        #expect(try await CommandRunner.run("ewelink", ["devices", "add", config.id, "--devicekey", config.devicekey!],
                                            environment: env).status == 0)
        let device = sim.devices[0]

        let r = try await CommandRunner.run("ewelink", ["on", config.id, "--lan-only", "--json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(device.snapshot.params["switch"] == "on")
        #expect(spoofer.requests.isEmpty)
        let stored = try #require(try DeviceStore(directory: home).load().first)
        #expect(stored.port == device.snapshot.port)

        let table = try await CommandRunner.run("ewelink", ["discover"], environment: env)
        #expect(table.status == 0)
        let line = try #require(table.lines.first { $0.contains("ignored") && $0.contains(config.id) }, "\(table.stdout)")
        #expect(line.contains(spoofer.address) && line.contains("does not decrypt"))
        let row = try #require(table.lines.first { $0.hasPrefix(config.id) }, "\(table.stdout)")
        #expect(row.contains(String(device.snapshot.port)) && !row.contains("999999"), "\(row)")
        let json = try await CommandRunner.run("ewelink", ["discover", "--json"], environment: env)
        let list = try #require(try JSONValue.parse(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue)
        let entry = try #require(list.first { $0["id"]?.stringValue == config.id })
        #expect(entry["port"]?.intValue == device.snapshot.port && entry["seq"]?.intValue != 999_999)
        #expect(entry["rejected"]?.arrayValue?.first?["port"]?.intValue == spoofer.port)

        // watch: the forgery is its own kind of event; the device's own events carry its real seq.
        let watch = try await CommandRunner.run("ewelink", ["watch", "--json", "--no-cloud", "--duration", "3"], environment: env)
        let events = watch.lines.compactMap { try? JSONValue.parse($0) }.filter { $0["device"]?.stringValue == config.id }
        let rejected = try #require(events.first { $0["kind"] == "rejected" }, "\(watch.stdout)")
        #expect(rejected["params"] == .null && rejected["detail"]?.stringValue?.contains(spoofer.address) == true)
        #expect(events.contains { $0["kind"] == "appeared" && $0["seq"]?.intValue == device.snapshot.seq })
        let text = try await CommandRunner.run("ewelink", ["watch", "--no-cloud", "--duration", "3"], environment: env)
        #expect(text.lines.contains { $0.contains("rejected") && $0.contains("does not decrypt") }, "\(text.stdout)")
    }

    @Test("A plain {\"error\":0} at the stored address of an encrypted device: on --lan-only fails (exit 4), the device stays off")
    func plainAckAtStoredAddress() async throws {
        let fleet = TestFleet.make([("plug", true)])
        let config = fleet.devices[0]
        let spoofer = try await Spoofer()
        defer { Task { await spoofer.stop() } }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-spoof-\(UUID().uuidString)").path
        let env = ["EWELINK_HOME": home]
        let store = DeviceStore(directory: home)
        try store.update { $0.append(StoredDevice(id: config.id, devicekey: config.devicekey, type: config.type,
                                                  host: "127.0.0.1", port: spoofer.port)) }
        let sim = Simulator(fleet: fleet)
        try await sim.start()
        defer { Task { await sim.stop() } }
        let r = try await CommandRunner.run("ewelink", ["on", config.id, "--lan-only"], environment: env)
        #expect(r.status == 4, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("not the device"))
        #expect(sim.devices[0].snapshot.params["switch"] == "off")
    }

    @Test("discover says plainly when two services claim the id of a DIY device")
    func diyTwoSources() async throws {
        let fleet = TestFleet.make([("diy_plug", false)])
        let id = fleet.devices[0].id
        let (spoofer, sim) = try await Spoofer.ahead(of: fleet, Spoofer.forgedPlain(id: id))
        defer { Task { await spoofer.stop(); await sim.stop() } }
        let env = ["EWELINK_HOME": FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-spoof-\(UUID().uuidString)").path]
        let table = try await CommandRunner.run("ewelink", ["discover"], environment: env)
        #expect(table.status == 0)
        let line = try #require(table.lines.first { $0.contains("2 services claim \(id)") }, "\(table.stdout)")
        #expect(line.contains(spoofer.address) && line.contains("127.0.0.1:\(sim.devices[0].snapshot.port)"))
        let json = try await CommandRunner.run("ewelink", ["discover", "--json"], environment: env)
        let list = try #require(try JSONValue.parse(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue)
        #expect(list.first { $0["id"]?.stringValue == id }?["rivals"]?.arrayValue?.count == 1)
    }
}
