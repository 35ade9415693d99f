import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// What a careless script or a hostile neighbour can hand the CLI: absurd numbers, bad arguments,
/// request-line injection, terminal escapes in names, odd ids, an open `$EWELINK_HOME`, odd files.
@Suite("Hostile input: durations, usage errors, endpoints, escapes, ids, home, images", .serialized)
struct HostileInputTests {
    static func home() -> [String: String] {
        ["EWELINK_HOME": FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-hostile-\(UUID().uuidString)").path]
    }

    static func oneLine(_ r: TestSupport.CommandResult) -> Bool {
        r.stderr.split(separator: "\n", omittingEmptySubsequences: false).count == 2 && r.stderr.hasSuffix("\n")
    }

    @Test("Every duration option refuses NaN, infinities, 1e300, zero and negatives: one line, exit 2, no trap",
          arguments: [
            ["watch", "--duration", "nan"], ["watch", "--duration", "inf"], ["watch", "--duration", "1e300"],
            ["watch", "--duration=-1"], ["watch", "--duration", "0"],
            ["ota", "upgrade", "1000abc001", "--timeout", "inf"], ["ota", "upgrade", "1000abc001", "--timeout", "1e300"],
            ["ota", "flash", "1000abc001", "--file", "/nonexistent", "--timeout", "inf"],
            ["ota", "flash", "1000abc001", "--file", "/nonexistent", "--timeout", "nan"],
            ["on", "1000abc001", "--timeout", "nan"], ["status", "1000abc001", "--timeout", "1e300"],
            ["discover", "--timeout", "inf"], ["discover", "--timeout", "601"],
          ])
    func durations(_ args: [String]) async throws {
        let r = try await CommandRunner.run("ewelink", args, environment: Self.home())
        #expect(r.status == 2, "\(args): \(r.status) \(r.stderr.prefix(300))")
        #expect(Self.oneLine(r), "\(args): \(r.stderr.prefix(300))")
        #expect(r.stderr.hasPrefix("ewelink: ") && r.stderr.contains("seconds"), "\(r.stderr)")
        #expect(!r.stderr.contains("Fatal error"))
    }

    @Test("Usage errors exit 2 with one line; --help and --version print as before and exit 0",
          arguments: [
            ["on"], ["on", "1000abc001", "--bogus"], ["on", "1000abc001", "--via", "bogus"],
            ["on", "1000abc001", "--channel", "-1"], ["on", "1000abc001", "--timeout", "-1"], ["frobnicate"],
            ["devices", "add"], ["ota", "flash", "1000abc001"], ["send", "1000abc001"],
          ])
    func usageErrors(_ args: [String]) async throws {
        let r = try await CommandRunner.run("ewelink", args, environment: Self.home())
        #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
        #expect(Self.oneLine(r), "\(args): \(r.stderr)")
        #expect(r.stderr.hasPrefix("ewelink: ") && r.stdout.isEmpty, "\(r.stderr)")
    }

    @Test("--help and --version are unchanged: stdout, exit 0")
    func helpAndVersion() async throws {
        var r = try await CommandRunner.run("ewelink", ["--help"], environment: Self.home())
        #expect(r.status == 0 && r.stdout.contains("USAGE: ewelink <subcommand>") && r.stderr.isEmpty)
        r = try await CommandRunner.run("ewelink", ["on", "--help"], environment: Self.home())
        #expect(r.status == 0 && r.stdout.contains("--timeout <timeout>") && r.stdout.contains("(default: 3.0)"), "\(r.stdout)")
        r = try await CommandRunner.run("ewelink", ["--version"], environment: Self.home())
        #expect(r.status == 0 && r.stdout == EWeLinkVersion.current + "\n")
    }

    @Test("The library never puts a malformed endpoint on the wire; a valid one arrives as the request line")
    func endpointInjectionLibrary() async throws {
        let wire = try WireRecorder()
        defer { wire.stop() }
        let client = ZeroconfClient()
        let target = LANTarget(deviceID: "1000abc001", host: "127.0.0.1", port: wire.port, devicekey: nil)
        for endpoint in ["switch HTTP/1.1\r\nX-Injected: yes\r\n\r\nPOST /zeroconf/x", "a b?c#d", "../info", "Sw-itch", "", "sw1tch"] {
            do {
                _ = try await client.send(endpoint, ["switch": "on"], to: target)
                Issue.record("sent \(endpoint.debugDescription)")
            } catch {
                #expect(error == .invalidEndpoint(endpoint))
            }
        }
        #expect(wire.connections.isEmpty, "\(wire.text)")
        _ = try await client.send("signal_strength", [:], to: target)
        #expect(wire.text.hasPrefix("POST /zeroconf/signal_strength HTTP/1.1\r\n"), "\(wire.text)")
        #expect(!wire.text.contains("X-Injected"))
    }

    @Test("send --endpoint with CR LF is refused before anything is sent (exit 2)")
    func endpointInjectionCLI() async throws {
        let wire = try WireRecorder()
        defer { wire.stop() }
        let env = Self.home()
        let id = TestFleet.freshID()
        #expect(try await CommandRunner.run("ewelink", ["devices", "add", id, "--host", "127.0.0.1:\(wire.port)", "--no-check"],
                                            environment: env).status == 0)
        var r = try await CommandRunner.run("ewelink", ["send", id, #"{"switch":"on"}"#, "--endpoint",
                                                        "switch HTTP/1.1\r\nX-Injected: yes\r\n\r\nPOST /zeroconf/x"],
                                            environment: env)
        #expect(r.status == 2 && Self.oneLine(r), "\(r.status) \(r.stderr)")
        #expect(!r.stderr.contains("\r") && r.stderr.contains("\\u000d\\u000a"), "\(r.stderr)")
        #expect(wire.connections.isEmpty, "\(wire.text)")
        // A params key of the wrong form (the endpoint is derived from it) is refused the same way.
        r = try await CommandRunner.run("ewelink", ["send", id, #"{"cmd":"x HTTP/1.0\r\nHost: evil"}"#], environment: env)
        #expect(r.status == 2 && wire.connections.isEmpty, "\(r.status) \(r.stderr) \(wire.text)")
        r = try await CommandRunner.run("ewelink", ["send", id, #"{"switch":"on"}"#, "--endpoint", "switch"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(wire.text.hasPrefix("POST /zeroconf/switch HTTP/1.1\r\n"))
    }

    @Test("send --endpoint falls back to the cloud only when the cloud can carry it")
    func endpointFallback() async throws {
        let spec = CloudTestFleet([("plug", true)])
        let sim = try await spec.startSimulator()
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let env = try await spec.cliLoggedIn(sim, addressOf: d)
        _ = await d.setFaults { $0.lan = .refuse }
        let before = d.snapshot.params["switch"]
        let flipped: JSONValue = before == "on" ? "off" : "on"
        let params = JSONValue.object(["switch": flipped]).serialized

        // Malformed: refused outright, nowhere sent.
        var r = try await CommandRunner.run("ewelink", ["send", d.id, params, "--endpoint", "a b?c#d"], environment: env)
        #expect(r.status == 2 && Self.oneLine(r), "\(r.status) \(r.stdout) \(r.stderr)")
        #expect(d.snapshot.params["switch"] == before)
        // Well-formed but not what the params name: the cloud cannot carry the endpoint, so no fallback.
        r = try await CommandRunner.run("ewelink", ["send", d.id, params, "--endpoint", "switches"], environment: env)
        #expect(r.status == 4, "\(r.status) \(r.stdout) \(r.stderr)")
        #expect(d.snapshot.params["switch"] == before)
        r = try await CommandRunner.run("ewelink", ["send", d.id, params, "--endpoint", "switches", "--via", "cloud"],
                                        environment: env)
        #expect(r.status == 2 && r.stderr.contains("no cloud equivalent"), "\(r.status) \(r.stderr)")
        #expect(d.snapshot.params["switch"] == before)
        // The params' own endpoint: the cloud sets the same params, so it may fall back.
        r = try await CommandRunner.run("ewelink", ["send", d.id, params, "--endpoint", "switch", "--json"], environment: env)
        #expect(r.status == 0 && r.stdout.contains(#""route":"rest""#), "\(r.status) \(r.stderr)")
        #expect(d.snapshot.params["switch"] == flipped)
    }

    @Test("Names, ids and types with escapes or newlines are shown escaped: discover, watch, devices, errors")
    func terminalEscapes() async throws {
        let env = Self.home()
        // From the store: a name with an escape sequence and a newline.
        let id = TestFleet.freshID()
        let evilName = "desk\u{1b}[2J\u{1b}]0;pwned\u{07}\nfake row"
        #expect(try await CommandRunner.run("ewelink", ["devices", "add", id, "--name", evilName, "--host", "127.0.0.1:9", "--no-check"],
                                            environment: env).status == 0)
        var r = try await CommandRunner.run("ewelink", ["devices"], environment: env)
        #expect(r.status == 0)
        #expect(!r.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(r.stdout.debugDescription)")
        #expect(r.lines.count == 2 && r.stdout.contains("desk\\u001b[2J"), "\(r.stdout)")
        // In error messages: a device queried by a hostile name, and one whose name is hostile.
        r = try await CommandRunner.run("ewelink", ["on", "no\u{1b}[31mdevice\nsecond line"], environment: env)
        #expect(r.status == 3 && Self.oneLine(r) && !r.stderr.contains("\u{1b}"), "\(r.stderr.debugDescription)")

        // From the network: a TXT record published through the real avahi-daemon.
        let connection = try AvahiConnection()
        let lo = try AvahiConnection.interfaceIndex(named: "lo")
        let hostileID = "h28\u{1b}[2J\u{1b}[1;31mPWNED\n" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let txt: [(key: String, value: String)] = [
            ("txtvers", "1"), ("id", hostileID), ("type", "plug\u{1b}]0;title\u{07}"), ("apivers", "1"), ("seq", "1"),
            ("data1", #"{"switch":"on"}"#),
        ]
        let service = try await PublishedService(
            ServiceDescription(name: "eWeLink_hostile\(UInt32.random(in: 0...UInt32.max))", port: 9, txt: txt,
                               interfaceIndex: lo), on: connection)
        defer { service.withdraw() }
        r = try await CommandRunner.run("ewelink", ["discover"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("h28\\u001b[2J\\u001b[1;31mPWNED\\u000a"), "\(r.stdout)")
        #expect(r.stdout.contains("plug\\u001b]0;title\\u0007"), "\(r.stdout)")
        for output in [r.stdout, r.stderr] {
            #expect(!output.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }, "\(output.debugDescription)")
        }
        r = try await CommandRunner.run("ewelink", ["watch", "--no-cloud", "--duration", "2"], environment: env)
        #expect(r.stdout.contains("h28\\u001b[2J"), "\(r.stdout)")
        #expect(!r.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(r.stdout.debugDescription)")
        // JSON was already escaped by the serializer, and stays valid JSON.
        r = try await CommandRunner.run("ewelink", ["discover", "--json"], environment: env)
        let list = try #require(try JSONValue.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue)
        #expect(list.contains { $0["id"]?.stringValue == hostileID })
    }

    @Test("devices add refuses ids that are not eWeLink ids; the fleet's ids are accepted",
          arguments: [String(repeating: "a", count: 100_000), "1000abc00", "1000abc0011", "1000abc00!", "1000abc\u{1b}01", ""])
    func deviceIDs(_ id: String) async throws {
        let env = Self.home()
        let r = try await CommandRunner.run("ewelink", ["devices", "add", id], environment: env)
        #expect(r.status == 2 && Self.oneLine(r), "\(r.status) \(r.stderr.prefix(200))")
        #expect(r.stderr.count < 200)
        #expect(!FileManager.default.fileExists(atPath: env["EWELINK_HOME"]! + "/devices.json"))
    }

    @Test("devices add refuses a --host that is not a host name or IPv4 address (it goes into the Host header)",
          arguments: ["127.0.0.1\r\nX-Injected: yes", "evil host", "127.0.0.1/x", "127.0.0.1:80:80", "127.0.0.1:99999", ""])
    func hosts(_ host: String) async throws {
        let env = Self.home()
        let r = try await CommandRunner.run("ewelink", ["devices", "add", TestFleet.freshID(), "--host", host], environment: env)
        #expect(r.status == 2 && Self.oneLine(r), "\(r.status) \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: env["EWELINK_HOME"]! + "/devices.json"))
    }

    @Test("The ids of the demo fleet and of the test fleets are eWeLink ids")
    func fleetIDsValid() async throws {
        let fleet = try Fleet.load(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/fleet.json").path)
        for d in fleet.devices { #expect(StoredDevice.isValidID(d.id), "\(d.id)") }
        #expect(StoredDevice.isValidID(TestFleet.freshID()))
        let r = try await CommandRunner.run("ewelink", ["devices", "add", fleet.devices[0].id], environment: Self.home())
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test("An existing $EWELINK_HOME open to others (0755) is made 0700 when the store is written")
    func homeTightened() async throws {
        let env = Self.home()
        let home = env["EWELINK_HOME"]!
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let r = try await CommandRunner.run("ewelink", ["devices", "add", TestFleet.freshID()], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: home)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o700)
    }

    @Test("A refused cloud reads as one clean sentence, without NIO's internals, at once")
    func refusedCloud() async throws {
        var env = Self.home()
        env["EWELINK_API_URL"] = "http://127.0.0.1:9/{region}"
        env["EWELINK_APP_ID"] = "someAppId"
        env["EWELINK_APP_SECRET"] = "someSecret"
        let started = ContinuousClock.now
        let r = try await CommandRunner.run("ewelink", ["login", "--email", "a@example.com", "--country-code", "+49",
                                                        "--password-stdin"], environment: env, stdin: "pw\n")
        #expect(ContinuousClock.now - started < .seconds(5), "fails at once, not after the 15 s request deadline")
        #expect(r.status == 9 && Self.oneLine(r), "\(r.stderr)")
        #expect(r.stderr.contains("the connection was refused"), "\(r.stderr)")
        #expect(!r.stderr.contains("errno") && !r.stderr.contains("error set") && !r.stderr.contains("))"), "\(r.stderr)")
    }

    @Test("ota flash refuses a file that is not an ESP app image (0xE9) before touching the device")
    func flashMagic() async throws {
        let sim = Simulator(fleet: TestFleet.make([("diy_plug", false)]))
        try await sim.start()
        defer { Task { await sim.stop() } }
        let env = Self.home()
        let diy = sim.devices[0]
        #expect(try await CommandRunner.run("ewelink", ["devices", "add", diy.id, "--host", "127.0.0.1:\(diy.snapshot.port)"],
                                            environment: env).status == 0)
        let path = env["EWELINK_HOME"]! + "/notes.txt"
        try Data(("not firmware " + String(repeating: "x", count: 4000)).utf8).write(to: URL(fileURLWithPath: path))
        let r = try await CommandRunner.run("ewelink", ["ota", "flash", diy.id, "--file", path], environment: env)
        #expect(r.status == 2 && Self.oneLine(r) && r.stderr.contains("0xE9") && r.stderr.contains("--force"), "\(r.stderr)")
        #expect(!diy.snapshot.otaUnlocked)
    }
}
