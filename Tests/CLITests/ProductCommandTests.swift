import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

@Suite("ewelink demo, watch, ota and routing options")
struct ProductCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test("demo runs the real ewelink for every step against the bundled fleet and exits 0, each step verified on the device")
    func demo() async throws {
        let r = try await CommandRunner.run("ewelink-sim", ["demo", "--json", "--fleet", Self.root + "/Fixtures/fleet.json"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let lines = try r.lines.map { try JSONValue.parse($0) }
        let steps = lines.filter { $0["step"] != nil }
        #expect(steps.count >= 9)
        #expect(steps.allSatisfy { $0["ok"] == true }, "\(r.stdout)")
        #expect(lines.last?["failed"] == [])
        let commands = steps.compactMap { $0["command"]?.stringValue }
        for verb in ["login", "sync", "discover", "on", "off", "ota upgrade"] {
            #expect(commands.contains { $0.hasPrefix("ewelink \(verb)") }, "ran ewelink \(verb)")
        }
        let routes = steps.compactMap { $0["detail"]?.stringValue }.filter { $0.hasPrefix("route ") }
        #expect(routes.contains { $0.hasPrefix("route lan") } && routes.contains { $0.hasPrefix("route rest") })
    }

    @Test("ewelink demo hands over to ewelink-sim demo; a fleet without a cloud is explained with exit 2")
    func demoNeedsCloud() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-\(UUID().uuidString).json").path
        try Data(#"{"devices":[{"id":"1000aaaaaa","type":"plug","port":0,"devicekey":"k"}]}"#.utf8).write(to: URL(fileURLWithPath: path))
        let r = try await CommandRunner.run("ewelink", ["demo", "--fleet", path])
        #expect(r.status == 2 && r.stderr.contains("cloud"), "\(r.stderr)")
        let none = try await CommandRunner.run("ewelink-sim", ["demo", "--fleet", "/nonexistent/fleet.json"])
        #expect(none.status == 2 && none.stderr.contains("/nonexistent/fleet.json"))
    }

    @Test("The user's ewelink binary links neither the simulator, Hummingbird nor libmosquitto (the hub's MQTT bridge does), nor libavahi-client or libcrypto at start")
    func binaryIsLean() async throws {
        let binary = CommandRunner.binDirectory.appendingPathComponent("ewelink")
        let symbols = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/nm"), [binary.path])
        #expect(symbols.status == 0 && symbols.stdout.contains("EWeLinkCloud"), "nm read the binary")
        for module in ["11Hummingbird", "16EWeLinkSimulator", "20HummingbirdWebSocket", "mosquitto_", "10EWeLinkHub"] {
            #expect(!symbols.stdout.contains(module), "ewelink links \(module)")
        }
        let libraries = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/ldd"), [binary.path])
        #expect(libraries.status == 0 && !libraries.stdout.contains("mosquitto"), "\(libraries.stdout)")
        // libavahi-client (and libdbus, libsystemd… behind it) is opened when mDNS is first used,
        // libcrypto when a digest or a cipher is first needed.
        #expect(!libraries.stdout.contains("libavahi") && !libraries.stdout.contains("libdbus"), "\(libraries.stdout)")
        #expect(!libraries.stdout.contains("libcrypto"), "\(libraries.stdout)")
        let hub = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/ldd"),
                                              [CommandRunner.binDirectory.appendingPathComponent("ewelink-hub").path])
        #expect(hub.stdout.contains("libmosquitto"), "\(hub.stdout)")
    }

    @Test("--via and a stored policy choose the route; ota check lists offers; ota flash refuses a large image untouched")
    func routingAndOTA() async throws {
        let spec = CloudTestFleet([("plug", true), ("diy_plug", false)])
        let sim = try await spec.startSimulator()
        defer { Task { await sim.stop() } }
        let plug = sim.devices[0]
        let env = try await spec.cliLoggedIn(sim, addressOf: plug)
        var r = try await CommandRunner.run("ewelink", ["on", plug.id, "--json"], environment: env)
        #expect(try r.status == 0 && JSONValue.parse(r.lines.first ?? "{}")["route"] == "lan", "\(r.stdout) \(r.stderr)")
        r = try await CommandRunner.run("ewelink", ["off", plug.id, "--json", "--via", "cloud"], environment: env)
        #expect(try r.status == 0 && JSONValue.parse(r.lines.first ?? "{}")["route"] == "rest", "\(r.stdout) \(r.stderr)")
        #expect(plug.snapshot.params["switch"] == "off")
        r = try await CommandRunner.run("ewelink", ["devices", "add", plug.id, "--policy", "cloud"], environment: env)
        #expect(r.status == 0)
        r = try await CommandRunner.run("ewelink", ["on", plug.id, "--json"], environment: env)
        #expect(try r.status == 0 && JSONValue.parse(r.lines.first ?? "{}")["route"] == "rest", "\(r.stdout) \(r.stderr)")
        r = try await CommandRunner.run("ewelink", ["devices", "--json"], environment: env)
        #expect(r.stdout.contains("\"policy\":\"cloud\""))
        r = try await CommandRunner.run("ewelink", ["status", plug.id, "--json"], environment: env)
        let status = try JSONValue.parse(r.lines.first ?? "{}")
        #expect(r.status == 0 && status["source"] == "cloud" && status["route"] == "rest", "\(r.stdout) \(r.stderr)")
        #expect(status["state"]?["switch"] == "on")
        r = try await CommandRunner.run("ewelink", ["on", plug.id, "--via", "sideways"], environment: env)
        #expect(r.status == 2, "\(r.status)")

        r = try await CommandRunner.run("ewelink", ["ota", "check", "--json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.count == 2 && r.lines.allSatisfy { (try? JSONValue.parse($0))?["available"] == .null })

        let diy = sim.devices[1]
        r = try await CommandRunner.run("ewelink", ["devices", "add", diy.id, "--host", "127.0.0.1:\(diy.snapshot.port)"], environment: env)
        let big = env["EWELINK_HOME"]! + "/big.bin"
        try Data(count: 600_000).write(to: URL(fileURLWithPath: big))
        r = try await CommandRunner.run("ewelink", ["ota", "flash", diy.id, "--file", big], environment: env)
        #expect(r.status == 2 && r.stderr.contains("508"), "\(r.stderr)")
        #expect(!diy.snapshot.otaUnlocked)
    }

    @Test("watch --json prints each device once as it appears, then its changes")
    func watch() async throws {
        let sim = Simulator(fleet: TestFleet.make([("plug", true), ("strip", true)]))
        try await sim.start()
        defer { Task { await sim.stop() } }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-cli-watch-\(UUID().uuidString)").path
        let store = DeviceStore(directory: home)
        try store.update { list in
            for d in sim.devices { list.append(StoredDevice(id: d.id, name: d.config.name, devicekey: d.config.devicekey)) }
        }
        let r = try await CommandRunner.run("ewelink", ["watch", "--json", "--duration", "2", "--no-cloud"],
                                            environment: ["EWELINK_HOME": home])
        #expect(r.status == 0, "\(r.stderr)")
        let events = r.lines.compactMap { try? JSONValue.parse($0) }
        for d in sim.devices {
            let mine = events.filter { $0["device"]?.stringValue == d.id }
            #expect(mine.filter { $0["kind"] == "appeared" }.count == 1, "\(r.stdout)")
            #expect(mine.first?["params"]?.objectValue != nil && mine.first?["source"] == "mdns")
            #expect(mine.first?["name"]?.stringValue == d.config.name)
        }
    }
}
