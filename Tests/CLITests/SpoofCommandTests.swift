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

    @Test("A plain {\"error\":0} at the stored address of an encrypted device is never a success: with the device announced elsewhere it is switched there; without it, on --lan-only fails (exit 4) and the device stays off")
    func plainAckAtStoredAddress() async throws {
        let fleet = TestFleet.make([("plug", true)])
        let config = fleet.devices[0]
        let spoofer = try await Spoofer()
        defer { Task { await spoofer.stop() } }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-spoof-\(UUID().uuidString)").path
        let env = ["EWELINK_HOME": home]
        let store = DeviceStore(directory: home)
        let atSpoofer = StoredDevice(id: config.id, devicekey: config.devicekey, type: config.type, host: "127.0.0.1",
                                     port: spoofer.port)
        try store.update { $0 = [atSpoofer] }
        let sim = Simulator(fleet: fleet)
        try await sim.start()
        defer { Task { await sim.stop() } }
        // Issue 20: the remembered address proves itself first; it cannot, so the announced one is asked.
        let served = try await CommandRunner.run("ewelink", ["on", config.id, "--lan-only"], environment: env)
        #expect(served.status == 0, "\(served.stdout) \(served.stderr)")
        #expect(sim.devices[0].snapshot.params["switch"] == "on")
        #expect(spoofer.requests == ["/zeroconf/info"], "\(spoofer.requests)")

        await sim.stop()
        try store.update { $0 = [atSpoofer] }
        let r = try await CommandRunner.run("ewelink", ["off", config.id, "--lan-only"], environment: env)
        #expect(r.status == 4, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("not the device") && r.stderr.contains("nothing was sent there"), "\(r.stderr)")
        #expect(!spoofer.requests.contains("/zeroconf/switch"), "\(spoofer.requests)")
        #expect(sim.devices[0].snapshot.params["switch"] == "on")
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

    static func home() -> (path: String, env: [String: String]) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-spoof-\(UUID().uuidString)").path
        return (path, ["EWELINK_HOME": path, "EWELINK_NO_HUB": "1"])
    }

    @Test("Issue 20: a replayed announcement and a firmware-shaped echo: devices add --host there is refused (no 'key verified'); on --lan-only from a store that remembers it reaches the real device")
    func replayedAnnouncement() async throws {
        let (sim, config, spoofer) = try await Spoofer.plugAndReplay()
        defer { Task { await spoofer.stop(); await sim.stop() } }
        let (path, env) = Self.home()

        let add = try await CommandRunner.run("ewelink", ["devices", "add", config.id, "--host", spoofer.address,
                                                          "--devicekey", config.devicekey!], environment: env)
        #expect(add.status == 4, "\(add.stdout) \(add.stderr)")
        #expect(!add.stdout.contains("key verified") && add.stderr.contains("did not prove it is device \(config.id)"),
                "\(add.stdout) \(add.stderr)")
        #expect(try DeviceStore(directory: path).load().isEmpty)

        // A store from before the rule remembers the impostor's address.
        try DeviceStore(directory: path).update {
            $0.append(StoredDevice(id: config.id, devicekey: config.devicekey, type: config.type, host: "127.0.0.1",
                                   port: spoofer.port))
        }
        let on = try await CommandRunner.run("ewelink", ["on", config.id, "--lan-only", "--json"], environment: env)
        #expect(on.status == 0, "\(on.stderr)")
        let result = try JSONValue.parse(on.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(result["route"] == "lan")
        #expect(sim.devices[0].snapshot.params["switch"] == "on", "the real device, not the impostor, was switched")
        // One info for `devices add`, one for the proof before `on`; never a command.
        #expect(spoofer.requests == ["/zeroconf/info", "/zeroconf/info"], "\(spoofer.requests)")
        let stored = try #require(try DeviceStore(directory: path).load().first)
        #expect(stored.port == sim.devices[0].snapshot.port && stored.addressVerified)
    }

    @Test("Issue 20: two services claim a DIY device: on --lan-only is refused (exit 4) unless --trust-address")
    func diyContested() async throws {
        let fleet = TestFleet.make([("diy_plug", false)])
        let id = fleet.devices[0].id
        let (spoofer, sim) = try await Spoofer.ahead(of: fleet, Spoofer.forgedPlain(id: id))
        defer { Task { await spoofer.stop(); await sim.stop() } }
        let (_, env) = Self.home()
        let refused = try await CommandRunner.run("ewelink", ["on", id, "--lan-only"], environment: env)
        #expect(refused.status == 4, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("2 services claim device \(id)") && refused.stderr.contains("--trust-address"),
                "\(refused.stderr)")
        #expect(spoofer.requests.isEmpty && sim.devices[0].snapshot.params["switch"] == "off")
        let trusted = try await CommandRunner.run("ewelink", ["on", id, "--lan-only", "--trust-address"], environment: env)
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(spoofer.requests.count + (sim.devices[0].snapshot.params["switch"] == "on" ? 1 : 0) == 1,
                "one of the two claimants got the command")
    }
}
