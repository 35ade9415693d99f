import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

@Suite("ewelink discover / on / off / status / send / devices", .serialized)
struct DeviceCommandTests {
    /// A simulator and an EWELINK_HOME with the fleet's keys, made through the CLI itself.
    static func setUp(_ kinds: [(type: String, encrypted: Bool)]) async throws -> (Simulator, [String: String]) {
        let sim = Simulator(fleet: TestFleet.make(kinds))
        try await sim.start()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-cli-\(UUID().uuidString)").path
        let env = ["EWELINK_HOME": home]
        for d in sim.devices where d.config.devicekey != nil {
            let r = try await CommandRunner.run("ewelink", ["devices", "add", d.id, "--devicekey", d.config.devicekey!,
                                                            "--name", d.config.name], environment: env)
            #expect(r.status == 0)
        }
        return (sim, env)
    }

    @Test("discover --json: an array with id, type, host, port, encrypted, seq, state")
    func discoverJSON() async throws {
        let (sim, env) = try await Self.setUp([("plug", true), ("diy_plug", false), ("strip", true)])
        defer { Task { await sim.stop() } }
        let r = try await CommandRunner.run("ewelink", ["discover", "--json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let list = try #require(try JSONValue.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue)
        for device in sim.devices {
            let entry = try #require(list.first { $0["id"]?.stringValue == device.id })
            for key in ["id", "type", "host", "port", "encrypted", "seq", "state"] { #expect(entry[key] != nil, "\(key)") }
            #expect(entry["port"]?.intValue == device.snapshot.port)
            #expect(entry["state"]?.objectValue == device.snapshot.params)
            #expect(entry["encrypted"]?.boolValue == !device.isDIY)
        }
        let table = try await CommandRunner.run("ewelink", ["discover"], environment: env)
        #expect(table.lines.first?.hasPrefix("ID") == true)
        #expect(table.stdout.contains(sim.devices[0].config.name))
    }

    @Test("on/off --json print {device, route, error, elapsedMs, state}; exit codes for failures")
    func onOff() async throws {
        let (sim, env) = try await Self.setUp([("plug", true), ("strip", true)])
        defer { Task { await sim.stop() } }
        let plug = sim.devices[0], strip = sim.devices[1]
        var r = try await CommandRunner.run("ewelink", ["on", plug.config.name.lowercased(), "--json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let out = try JSONValue.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(out.objectValue?.keys.prefix(5) == ["device", "route", "error", "elapsedMs", "state"])
        #expect(out["device"] == .string(plug.id) && out["route"] == "lan" && out["error"] == 0)
        #expect(out["state"]?["switch"] == "on")
        #expect(plug.snapshot.params["switch"] == "on")

        r = try await CommandRunner.run("ewelink", ["off", strip.id, "--channel", "1", "--json"], environment: env)
        #expect(r.status == 0)
        r = try await CommandRunner.run("ewelink", ["on", strip.id, "--channel", "3"], environment: env)
        #expect(r.status == 0 && r.lines.count == 1)
        #expect(strip.snapshot.params["switches"]!.arrayValue![3]["switch"] == "on")

        r = try await CommandRunner.run("ewelink", ["on", "no-such-device"], environment: env)
        #expect(r.status == 3 && r.stderr.contains("no-such-device"))
        r = try await CommandRunner.run("ewelink", ["on", strip.id, "--channel", "9"], environment: env)
        #expect(r.status == 2)
        _ = await RawHTTP.post(port: sim.controlPort, path: "/devices/\(plug.id)/fault", body: Array(#"{"lan":"refuse"}"#.utf8))
        r = try await CommandRunner.run("ewelink", ["off", plug.id], environment: env)
        #expect(r.status == 4)
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("refused"))
        r = try await CommandRunner.run("ewelink", ["send", plug.id, "{nope"], environment: env)
        #expect(r.status == 2)
    }

    @Test("status and send; devices list/add/remove; keys hidden unless asked")
    func statusSendDevices() async throws {
        let (sim, env) = try await Self.setUp([("plug", true)])
        defer { Task { await sim.stop() } }
        let plug = sim.devices[0]
        var r = try await CommandRunner.run("ewelink", ["send", plug.id, #"{"pulse":"on","pulseWidth":1500}"#, "--json"],
                                            environment: env)
        #expect(r.status == 0)
        #expect(plug.snapshot.params["pulseWidth"] == 1500)
        r = try await CommandRunner.run("ewelink", ["status", plug.id, "--json"], environment: env)
        #expect(r.status == 0)
        let status = try JSONValue.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        try await eventually {
            let again = try await CommandRunner.run("ewelink", ["status", plug.id, "--json"], environment: env)
            return (try? JSONValue.parse(again.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))?["state"]?["pulseWidth"] == 1500
        }
        #expect(status["device"] == .string(plug.id))

        r = try await CommandRunner.run("ewelink", ["devices", "--json"], environment: env)
        let list = try JSONValue.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue!
        #expect(list.count == 1 && list[0]["devicekey"] == nil && list[0]["hasKey"] == true)
        #expect(!r.stdout.contains(plug.config.devicekey!))
        r = try await CommandRunner.run("ewelink", ["devices", "list", "--json", "--show-keys"], environment: env)
        #expect(r.stdout.contains(plug.config.devicekey!))
        r = try await CommandRunner.run("ewelink", ["devices", "add", plug.id, "--host", "127.0.0.1:notaport"], environment: env)
        #expect(r.status == 2)
        r = try await CommandRunner.run("ewelink", ["devices", "remove", plug.config.name], environment: env)
        #expect(r.status == 0)
        r = try await CommandRunner.run("ewelink", ["devices", "remove", plug.id], environment: env)
        #expect(r.status == 3)
    }

    @Test("A corrupt store is reported with its path (exit 7) and left as it was")
    func corruptStore() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: home + "/devices.json"))
        let r = try await CommandRunner.run("ewelink", ["devices", "add", "1000abc001", "--name", "x"],
                                            environment: ["EWELINK_HOME": home])
        #expect(r.status == 7 && r.stderr.contains(home + "/devices.json"))
        #expect(try String(contentsOfFile: home + "/devices.json", encoding: .utf8) == "garbage")
    }
}

@Suite("ewelink without an avahi-daemon")
struct NoAvahiTests {
    /// A system bus address where nothing listens: Avahi is unreachable for this process only.
    static let noBus = ["DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/ewelink-test-bus"]

    @Test("discover says that no avahi-daemon answers and how to start one (exit 6)")
    func discoverWithoutAvahi() async throws {
        var env = Self.noBus
        env["EWELINK_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-\(UUID().uuidString)").path
        let r = try await CommandRunner.run("ewelink", ["discover"], environment: env)
        #expect(r.status == 6)
        #expect(r.stderr.contains("avahi-daemon") && r.stderr.contains("scripts/setup"))
    }

    @Test("A device with a known host keeps working when Avahi is down")
    func knownHostWithoutAvahi() async throws {
        var options = Simulator.Options()
        options.publishMDNS = false
        let sim = Simulator(fleet: TestFleet.make([("plug", true)]), options: options)
        try await sim.start()
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        var env = Self.noBus
        env["EWELINK_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-\(UUID().uuidString)").path
        let add = try await CommandRunner.run("ewelink", ["devices", "add", d.id, "--devicekey", d.config.devicekey!,
                                                          "--host", "127.0.0.1:\(d.snapshot.port)", "--type", "plug",
                                                          "--name", "porch"], environment: env)
        #expect(add.status == 0)
        let on = try await CommandRunner.run("ewelink", ["on", "porch", "--json"], environment: env)
        #expect(on.status == 0, "\(on.stderr)")
        #expect(d.snapshot.params["switch"] == "on")
        let status = try await CommandRunner.run("ewelink", ["status", "porch", "--json"], environment: env)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains(#""source":"http""#))
        let toggle = try await CommandRunner.run("ewelink", ["toggle", "porch"], environment: env)
        #expect(toggle.status == 0, "\(toggle.stderr)")
        #expect(d.snapshot.params["switch"] == "off")
    }
}
