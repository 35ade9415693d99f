import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// Devices known only by address (no mDNS, no cloud): a 4-channel strip, a DIY plug, an
/// encrypted plug, and a device added with a wrong key.
@Suite("Devices by address: learnt from the device itself", .serialized)
struct AddressDeviceTests {
    static func start() async throws -> (Simulator, [String: String]) {
        var options = Simulator.Options()
        options.publishMDNS = false
        let sim = Simulator(fleet: TestFleet.make([("strip", true), ("diy_plug", false), ("plug", true), ("plug", true)]),
                            options: options)
        try await sim.start()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-addr-\(UUID().uuidString)").path
        return (sim, ["EWELINK_HOME": home])
    }

    static func address(_ d: SimulatedDevice) -> String { "127.0.0.1:\(d.snapshot.port)" }

    @Test("devices add --host asks the device: shape and firmware learnt, key verified; a wrong key or an absent device stores nothing")
    func addChecks() async throws {
        let (sim, env) = try await Self.start()
        defer { Task { await sim.stop() } }
        let strip = sim.devices[0], diy = sim.devices[1], plug = sim.devices[2], wrong = sim.devices[3]

        var r = try await CommandRunner.run("ewelink", ["devices", "add", strip.id, "--devicekey", strip.config.devicekey!,
                                                        "--host", Self.address(strip)], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("added \(strip.id): 4-channel strip, firmware \(strip.snapshot.fwVersion), key verified"), "\(r.stdout)")
        r = try await CommandRunner.run("ewelink", ["devices", "add", diy.id, "--host", Self.address(diy)], environment: env)
        #expect(r.status == 0 && r.stdout.contains("diy_plug") && r.stdout.contains("DIY (no key needed)"), "\(r.stdout)\(r.stderr)")
        r = try await CommandRunner.run("ewelink", ["devices", "add", plug.id, "--devicekey", plug.config.devicekey!,
                                                    "--host", Self.address(plug), "--name", "porch"], environment: env)
        #expect(r.status == 0 && r.stdout.contains("plug, firmware"), "\(r.stdout)\(r.stderr)")

        // A wrong key: said so (exit 8), nothing stored.
        r = try await CommandRunner.run("ewelink", ["devices", "add", wrong.id, "--devicekey", "not-the-key",
                                                    "--host", Self.address(wrong)], environment: env)
        #expect(r.status == 8, "\(r.stderr)")
        #expect(r.stderr.contains("devicekey is wrong") && r.stderr.contains("--no-check"), "\(r.stderr)")
        // An encrypted device added as DIY: its key is needed.
        r = try await CommandRunner.run("ewelink", ["devices", "add", wrong.id, "--host", Self.address(wrong)], environment: env)
        #expect(r.status == 8 && r.stderr.contains("devicekey"), "\(r.stderr)")
        // Nothing at the address: unreachable (exit 4), nothing stored.
        r = try await CommandRunner.run("ewelink", ["devices", "add", wrong.id, "--devicekey", wrong.config.devicekey!,
                                                    "--host", "127.0.0.1:9", "--timeout", "1"], environment: env)
        #expect(r.status == 4, "\(r.stderr)")
        var list = try await CommandRunner.run("ewelink", ["devices", "--json"], environment: env)
        var stored = try #require(try JSONValue.parse(list.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue)
        #expect(stored.count == 3)
        #expect(!stored.contains { $0["id"]?.stringValue == wrong.id })
        let learntStrip = try #require(stored.first { $0["id"]?.stringValue == strip.id })
        #expect(learntStrip["type"] == "strip" && learntStrip["channels"] == 4 && learntStrip["fwVersion"]?.stringValue == strip.snapshot.fwVersion)

        // --no-check stores it as given, unchecked; the first command then names the wrong key.
        r = try await CommandRunner.run("ewelink", ["devices", "add", wrong.id, "--devicekey", "not-the-key",
                                                    "--host", Self.address(wrong), "--no-check"], environment: env)
        #expect(r.status == 0 && r.stdout.contains("not checked"), "\(r.stdout)")
        r = try await CommandRunner.run("ewelink", ["on", wrong.id, "--json"], environment: env)
        #expect(r.status == 8, "\(r.stderr)")
        list = try await CommandRunner.run("ewelink", ["devices", "--json"], environment: env)
        stored = try #require(try JSONValue.parse(list.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue)
        #expect(stored.count == 4)
    }

    @Test("on/off/status with and without --channel on a strip, a DIY plug and an encrypted plug known by address")
    func channels() async throws {
        let (sim, env) = try await Self.start()
        defer { Task { await sim.stop() } }
        let strip = sim.devices[0], diy = sim.devices[1], plug = sim.devices[2]
        for d in [strip, diy, plug] {
            var args = ["devices", "add", d.id, "--host", Self.address(d)]
            if let key = d.config.devicekey { args += ["--devicekey", key] }
            let r = try await CommandRunner.run("ewelink", args, environment: env)
            #expect(r.status == 0, "\(r.stderr)")
        }
        // The strip: one channel, then all.
        var r = try await CommandRunner.run("ewelink", ["on", strip.id, "--channel", "2", "--json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(strip.snapshot.params["switches"]?.arrayValue?.map { $0["switch"]?.stringValue } == ["off", "off", "on", "off"])
        r = try await CommandRunner.run("ewelink", ["status", strip.id, "--channel", "2", "--json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        var o = try JSONValue.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(o["channel"] == 2 && o["switch"] == "on", "\(o)")
        r = try await CommandRunner.run("ewelink", ["status", strip.id, "--channel", "1"], environment: env)
        #expect(r.status == 0 && r.stdout.contains("channel 1: off"), "\(r.stdout)\(r.stderr)")
        r = try await CommandRunner.run("ewelink", ["off", strip.id, "--channel", "2"], environment: env)
        #expect(r.status == 0 && strip.snapshot.params["switches"]?.arrayValue?[2]["switch"] == "off")
        r = try await CommandRunner.run("ewelink", ["on", strip.id], environment: env)
        #expect(r.status == 0 && strip.snapshot.params["switches"]?.arrayValue?.allSatisfy { $0["switch"] == "on" } == true)
        r = try await CommandRunner.run("ewelink", ["on", strip.id, "--channel", "5"], environment: env)
        #expect(r.status == 2, "\(r.stderr)")
        // Toggle per channel and whole: the state is asked of the device (no mDNS here).
        strip.press(outlet: 1)   // changed behind our back: the stored state is stale now
        r = try await CommandRunner.run("ewelink", ["toggle", strip.id, "--channel", "1", "--json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(strip.snapshot.params["switches"]?.arrayValue?.map { $0["switch"]?.stringValue } == ["on", "on", "on", "on"])
        r = try await CommandRunner.run("ewelink", ["toggle", strip.id], environment: env)
        #expect(r.status == 0 && strip.snapshot.params["switches"]?.arrayValue?.allSatisfy { $0["switch"] == "off" } == true,
                "\(r.stderr)")
        r = try await CommandRunner.run("ewelink", ["toggle", strip.id, "--channel", "3"], environment: env)
        #expect(r.status == 0 && strip.snapshot.params["switches"]?.arrayValue?[3]["switch"] == "on", "\(r.stderr)")

        // Single-channel devices: channel 0 or none; 1 is refused, for status too.
        for d in [diy, plug] {
            r = try await CommandRunner.run("ewelink", ["on", d.id, "--json"], environment: env)
            #expect(r.status == 0 && d.snapshot.params["switch"] == "on", "\(r.stderr)")
            r = try await CommandRunner.run("ewelink", ["status", d.id, "--channel", "0", "--json"], environment: env)
            o = try JSONValue.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(r.status == 0 && o["switch"] == "on", "\(r.stdout)\(r.stderr)")
            r = try await CommandRunner.run("ewelink", ["off", d.id, "--channel", "0"], environment: env)
            #expect(r.status == 0 && d.snapshot.params["switch"] == "off", "\(r.stderr)")
            r = try await CommandRunner.run("ewelink", ["status", d.id, "--channel", "1"], environment: env)
            #expect(r.status == 2 && r.stderr.contains("single-channel"), "\(r.stderr)")
            r = try await CommandRunner.run("ewelink", ["status", d.id], environment: env)
            #expect(r.status == 0 && r.stdout.hasPrefix("\(d.id): off"), "\(r.stdout)\(r.stderr)")
            r = try await CommandRunner.run("ewelink", ["toggle", d.id, "--channel", "0"], environment: env)
            #expect(r.status == 0 && d.snapshot.params["switch"] == "on", "\(r.stderr)")
            r = try await CommandRunner.run("ewelink", ["toggle", d.id, "--channel", "1"], environment: env)
            #expect(r.status == 2, "\(r.stderr)")
        }
    }

    @Test("A device stored unchecked, shape unknown, is asked once when a command needs its channels; the store keeps it")
    func lazyShape() async throws {
        let (sim, env) = try await Self.start()
        defer { Task { await sim.stop() } }
        let strip = sim.devices[0]
        var r = try await CommandRunner.run("ewelink", ["devices", "add", strip.id, "--devicekey", strip.config.devicekey!,
                                                        "--host", Self.address(strip), "--no-check"], environment: env)
        #expect(r.status == 0)
        r = try await CommandRunner.run("ewelink", ["on", strip.id, "--channel", "2", "--json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(strip.snapshot.params["switches"]?.arrayValue?[2]["switch"] == "on")
        let list = try await CommandRunner.run("ewelink", ["devices", "--json"], environment: env)
        let stored = try #require(try JSONValue.parse(list.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue?.first)
        #expect(stored["type"] == "strip" && stored["channels"] == 4, "\(stored)")
        r = try await CommandRunner.run("ewelink", ["toggle", strip.id, "--channel", "2"], environment: env)
        #expect(r.status == 0 && strip.snapshot.params["switches"]?.arrayValue?[2]["switch"] == "off", "\(r.stderr)")
    }
}
