import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite("ewelink serve: the hub", .serialized)
struct HubTests {
    /// Output with the timings taken out (they differ run to run, not path to path).
    static func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: #""elapsedMs":[0-9.]+"#, with: #""elapsedMs":_"#, options: .regularExpression)
            .replacingOccurrences(of: #"[0-9]+\.[0-9] ms\)"#, with: "_ ms)", options: .regularExpression)
            .replacingOccurrences(of: #""seq":[0-9]+"#, with: #""seq":_"#, options: .regularExpression)
            .replacingOccurrences(of: #"\(seq [0-9?]+"#, with: "(seq _", options: .regularExpression)
            .replacingOccurrences(of: #""lastSeq":[0-9]+,"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #""lastSeen":"[^"]*","#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #""lan":\{[^}]*\},?"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #""source":"(mdns|http)""#, with: #""source":_"#, options: .regularExpression)
            .replacingOccurrences(of: #"from (mdns|http)"#, with: "from _", options: .regularExpression)
    }

    @Test("every CLI command gives the same output and exit status through the hub as without it")
    func identicalResults() async throws {
        let f = try await HubFixture([("plug", true), ("strip", true), ("diy_plug", false)])
        try await f.startHub()
        let plug = f.sim.devices[0], strip = f.sim.devices[1], diy = f.sim.devices[2]
        let cases: [[String]] = [
            ["on", plug.id, "--json"], ["on", plug.id], ["off", plug.config.name.lowercased(), "--json"],
            ["on", strip.id, "--channel", "2", "--json"], ["off", strip.id, "--channel", "2"],
            ["on", diy.id, "--json"], ["off", diy.id, "--lan-only", "--json"],
            ["status", strip.id, "--channel", "1", "--json"], ["status", strip.id, "--channel", "1"],
            ["send", plug.id, #"{"pulse":"on","pulseWidth":1500}"#, "--json"],
            // Failures: unknown device (3), channel out of range (2), a channel the device lacks (2),
            // params that are not JSON (2).
            ["on", "no-such-device"], ["on", "no-such-device", "--json"], ["on", strip.id, "--channel", "9"],
            ["status", plug.id, "--channel", "2"], ["send", plug.id, "{nope"], ["send", plug.id, "[1]"],
        ]
        let before = f.metric("ewelink_commands_total").reduce(0) { $0 + $1.value }
        var throughHub = 0
        for args in cases {
            let viaHub = try await CommandRunner.run("ewelink", args, environment: f.env)
            let direct = try await CommandRunner.run("ewelink", args + ["--no-hub"], environment: f.env)
            #expect(viaHub.status == direct.status, "\(args): status \(viaHub.status) via the hub, \(direct.status) without")
            #expect(Self.normalized(viaHub.stdout) == Self.normalized(direct.stdout), "\(args)\n\(viaHub.stdout)\n\(direct.stdout)")
            #expect(viaHub.stderr == direct.stderr, "\(args)\n\(viaHub.stderr)\n\(direct.stderr)")
            #expect(!viaHub.stderr.contains("warning"))
            // Commands reach the hub, failed ones too, but for params the CLI refuses before asking.
            if ["on", "off"].contains(args[0]) || (args[0] == "send" && viaHub.status != 2) { throughHub += 1 }
        }
        // The hub carried them (each counted once in its metrics; the --no-hub runs are not).
        let after = f.metric("ewelink_commands_total").reduce(0) { $0 + $1.value }
        #expect(Int(after - before) == throughHub, "hub counted \(after - before), expected \(throughHub)")
        #expect(plug.snapshot.params["pulse"] == "on")

        // toggle flips the state each time: through the hub, then without it, back again.
        let wasOn = plug.snapshot.params["switch"] == "on"
        let t1 = try await CommandRunner.run("ewelink", ["toggle", plug.id, "--json"], environment: f.env)
        #expect(t1.status == 0 && plug.snapshot.params["switch"] == (wasOn ? "off" : "on"))
        // (The announcement of the new state takes a moment to reach the avahi-daemon, where a
        // process of its own reads it.)
        try await Task.sleep(for: .milliseconds(700))
        let t2 = try await CommandRunner.run("ewelink", ["toggle", plug.id, "--json", "--no-hub"], environment: f.env)
        #expect(t2.status == 0 && plug.snapshot.params["switch"] == (wasOn ? "on" : "off"))
        let shape = { (text: String) in (try? JSONValue.parse(text).objectValue?.keys.map { $0 }) ?? [] }
        #expect(shape(t1.stdout) == shape(t2.stdout) && !shape(t1.stdout).isEmpty)

        // devices: the same records; the hub's may know more (addresses it saw announced, not yet
        // written), so ids, names, types and keys are compared.
        let listHub = try await CommandRunner.run("ewelink", ["devices", "--json"], environment: f.env)
        let listDirect = try await CommandRunner.run("ewelink", ["devices", "--json", "--no-hub"], environment: f.env)
        let summary = { (text: String) -> [String] in
            (try? JSONValue.parse(text).arrayValue ?? [])?.compactMap { d in
                ["id", "name", "type", "hasKey", "devicekey"].map { d[$0].map { "\($0)" } ?? "-" }.joined(separator: "|")
            } ?? []
        }
        #expect(listHub.status == 0 && listDirect.status == 0)
        #expect(summary(listHub.stdout) == summary(listDirect.stdout) && summary(listHub.stdout).count == 3)
        #expect(!listHub.stdout.contains(plug.config.devicekey!))
        let tableHub = try await CommandRunner.run("ewelink", ["devices"], environment: f.env)
        let tableDirect = try await CommandRunner.run("ewelink", ["devices", "--no-hub"], environment: f.env)
        #expect(tableHub.lines.first == tableDirect.lines.first && tableHub.lines.count == tableDirect.lines.count)
        #expect(tableHub.lines.dropFirst().map { $0.split(separator: " ").prefix(1) } == tableDirect.lines.dropFirst().map { $0.split(separator: " ").prefix(1) })
        await f.close()
    }

    @Test("the API against openapi.yaml, checked by an independent validator (openapi-spec-validator, jsonschema)")
    func openAPI() async throws {
        let f = try await HubFixture([("plug", true), ("strip", true)])
        try await f.startHub()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/hub-api-check")
        let r = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, f.socketPath])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("0 failures"))
        await f.close()
    }

    @Test("the socket is 0600; TCP needs the bearer token from a 0600 file; unsafe set-ups are refused")
    func auth() async throws {
        let f = try await HubFixture([("plug", true)])
        // Without a token file, or with one others can read, TCP is refused before anything listens.
        let port = HubWire.freePort()
        var r = try await CommandRunner.run("ewelink-hub", ["--no-cloud", "--listen", "127.0.0.1:\(port)"], environment: f.env)
        #expect(r.status == 2 && r.stderr.contains("--token-file"))
        r = try await CommandRunner.run("ewelink-hub", ["--no-cloud", "--listen", "0.0.0.0:\(port)"], environment: f.env)
        #expect(r.status == 2)
        let tokenPath = f.home + "/token"
        let token = "t0ken-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: tokenPath, contents: Data(token.utf8), attributes: [.posixPermissions: 0o644])
        r = try await CommandRunner.run("ewelink-hub", ["--no-cloud", "--listen", "127.0.0.1:\(port)", "--token-file", tokenPath],
                                        environment: f.env)
        #expect(r.status == 2 && r.stderr.contains("chmod 600"), "\(r.stderr)")
        chmod(tokenPath, 0o600)
        try await f.startHub(["--listen", "127.0.0.1:\(port)", "--token-file", tokenPath])
        var st = stat()
        #expect(lstat(f.socketPath, &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(await HubWire.tcp(port: port, "GET", "/devices")?.status == 401)
        #expect(await HubWire.tcp(port: port, "GET", "/devices", headers: ["Authorization": "Bearer wrong"])?.status == 401)
        #expect(await HubWire.tcp(port: port, "GET", "/metrics", headers: ["Authorization": "Bearer " + token + "x"])?.status == 401)
        let ok = await HubWire.tcp(port: port, "GET", "/devices", headers: ["Authorization": "Bearer " + token])
        #expect(ok?.status == 200 && ok?.json?.arrayValue?.count == 1)
        // The Unix socket needs no token: its mode keeps others out.
        #expect(await HubWire.request(f.socketPath, "GET", "/devices")?.status == 200)
        // A second hub on the same socket is refused; the first keeps serving.
        r = try await CommandRunner.run("ewelink-hub", ["--no-cloud"], environment: f.env)
        #expect(r.status == 1 && r.stderr.contains("already listens"))
        #expect(await HubWire.request(f.socketPath, "GET", "/health")?.status == 200)
        // A socket others could use is not trusted by the CLI: it works without the hub and says so.
        chmod(f.socketPath, 0o666)
        let cli = try await CommandRunner.run("ewelink", ["on", f.sim.devices[0].id, "--json"], environment: f.env)
        #expect(cli.status == 0 && cli.stderr.contains("not using the hub socket"), "\(cli.stderr)")
        chmod(f.socketPath, 0o600)
        await f.stopHub()
        // A socket folder others can write to is refused.
        let open = f.home + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false)
        chmod(open, 0o777)
        r = try await CommandRunner.run("ewelink-hub", ["--no-cloud", "--socket", open + "/hub.sock"], environment: f.env)
        #expect(r.status == 2 && r.stderr.contains("written by others"), "\(r.stderr)")
        await f.close()
    }

    @Test("slow and hostile clients (a huge body, a never-finished request, 1,000 idle connections) do not stall others")
    func hostileClients() async throws {
        let f = try await HubFixture([("plug", true)])
        try await f.startHub()
        let path = f.socketPath, plug = f.sim.devices[0]
        // 1,000 idle connections and one request that never ends its headers.
        let idle = await offThread { (0..<1000).compactMap { _ in HubWire.connect(path) } }
        #expect(idle.count == 1000)
        let stuck = try #require(HubWire.connect(path))
        _ = HubWire.write(stuck, Array("POST /devices/\(plug.id)/send HTTP/1.1\r\nHost: hub\r\nContent-Length: 100\r\n".utf8))
        // A body far over the limit is refused at once, not read to its end.
        let huge = [UInt8](repeating: UInt8(ascii: " "), count: 8 << 20)
        let started = ContinuousClock.now
        let tooLarge = await offThread { HubWire.requestBlocking(path, "POST", "/devices/\(plug.id)/send", body: huge) }
        #expect(tooLarge == nil || tooLarge?.status == 413, "\(String(describing: tooLarge?.status)) \(tooLarge?.text ?? "")")
        // Others are served promptly meanwhile.
        for _ in 0..<20 {
            let t0 = ContinuousClock.now
            let health = await offThread { HubWire.requestBlocking(path, "GET", "/health") }
            #expect(health?.status == 200)
            #expect(ContinuousClock.now - t0 < .seconds(1))
        }
        let on = try await CommandRunner.run("ewelink", ["on", plug.id, "--json"], environment: f.env)
        #expect(on.status == 0 && on.stdout.contains(#""route":"lan""#))
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(f.metric("ewelink_commands_total").count >= 1)
        for fd in idle { close(fd) }
        close(stuck)
        await f.close()
    }

    @Test("SIGTERM mid-command: the command is answered, the store is whole, the socket removed; a restart works")
    func shutdownAndRestart() async throws {
        let f = try await HubFixture([("plug", true)])
        try await f.startHub()
        let plug = f.sim.devices[0]
        _ = await plug.setFaults { $0.delayMs = 1500 }
        async let command = CommandRunner.run("ewelink", ["on", plug.id, "--json"], environment: f.env)
        try await Task.sleep(for: .milliseconds(400))
        let status = await f.stopHub(SIGTERM)
        let r = try await command
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(#""route":"lan""#))
        #expect(plug.snapshot.params["switch"] == "on")
        #expect(status == 0, "exit \(status): \(f.log())")
        #expect(!FileManager.default.fileExists(atPath: f.socketPath))
        #expect(f.log().contains("hub stopped"))
        let stored = try DeviceStore(directory: f.home).load()
        #expect(stored.count == 1 && stored[0].devicekey == plug.config.devicekey)
        _ = await plug.setFaults { $0.delayMs = 0 }
        // Killed outright, the hub leaves its socket file behind: the next one clears it and serves.
        try await f.startHub()
        await f.stopHub(SIGKILL)
        #expect(FileManager.default.fileExists(atPath: f.socketPath))
        let direct = try await CommandRunner.run("ewelink", ["off", plug.id], environment: f.env)
        #expect(direct.status == 0, "a dead hub's socket must not fail the CLI: \(direct.stderr)")
        try await f.startHub()
        let again = try await CommandRunner.run("ewelink", ["off", plug.id, "--json"], environment: f.env)
        #expect(again.status == 0 && plug.snapshot.params["switch"] == "off")
        #expect(f.metric("ewelink_commands_total").reduce(0) { $0 + $1.value } == 1)
        await f.close()
    }

    @Test("events: several /events clients and `ewelink watch --json` through the hub see each change; metrics follow")
    func eventsAndMetrics() async throws {
        let f = try await HubFixture([("plug", true), ("enhanced_plug", true)])
        try await f.startHub()
        let plug = f.sim.devices[0]
        let path = f.socketPath
        // Five raw SSE clients and one `watch --json` through the hub.
        let clients = (0..<5).compactMap { _ in HubWire.connect(path) }
        for fd in clients {
            _ = HubWire.write(fd, Array("GET /events?device=\(plug.id) HTTP/1.1\r\nHost: hub\r\n\r\n".utf8))
        }
        async let watch = CommandRunner.run("ewelink", ["watch", "--json", "--duration", "8"], environment: f.env)
        try await Task.sleep(for: .milliseconds(1500))
        let on = try await CommandRunner.run("ewelink", ["on", plug.id], environment: f.env)
        #expect(on.status == 0)
        let seen = await offThread { clients.map { HubWire.readStream($0, until: #""switch":"on""#, seconds: 8) } }
        for text in seen {
            #expect(text.contains("text/event-stream") && text.contains(": subscribed"))
            #expect(text.contains(#""device":"\#(plug.id)""#) && text.contains(#""switch":"on""#), "\(text)")
        }
        for fd in clients { close(fd) }
        let w = try await watch
        #expect(w.status == 0, "\(w.stderr)")
        let events = w.lines.compactMap { try? JSONValue.parse($0).objectValue }
        #expect(events.count == w.lines.count && !events.isEmpty, "\(w.stdout)\n\(w.stderr)\n\(f.log().suffix(3000))")
        #expect(events.contains { $0["device"]?.stringValue == plug.id && $0["params"]?["switch"] == "on" })
        for e in events { #expect(Set(e.keys).isSuperset(of: ["device", "source", "kind", "params", "seq", "time"])) }
        // Metrics: the switch, the metering plug's readings, online, commands by route.
        let switches = f.metric("ewelink_switch")
        #expect(switches.contains { $0.labels.contains(plug.id) && $0.value == 1 })
        #expect(!f.metric("ewelink_voltage_volts").isEmpty)
        #expect(f.metric("ewelink_commands_total").contains { $0.labels.contains(#"route="lan""#) })
        #expect(f.metric("ewelink_command_duration_seconds_count").contains { $0.labels.contains(#"route="lan""#) })
        let ours = f.metric("ewelink_online").filter { m in f.sim.devices.contains { m.labels.contains($0.id) } }
        #expect(ours.filter { $0.labels.contains(#"path="lan""#) && $0.value == 1 }.count == 2)
        await f.close()
    }

    @Test("with a cloud session: one WebSocket shared by the hub's commands (LAN refused → websocket), OTA with progress events")
    func cloudAndOTA() async throws {
        let secret = "s-" + UUID().uuidString
        let plugID = TestFleet.freshID()
        let offer: JSONObject = ["version": "3.6.1", "binList": [["name": "user1.bin", "downloadUrl": "http://127.0.0.1:1/user1.bin",
                                                                  "digest": .string(String(repeating: "a", count: 64))]]]
        let doc: JSONValue = [
            "devices": [["id": .string(plugID), "type": "plug", "port": 0, "devicekey": .string(UUID().uuidString.lowercased()),
                         "fwVersion": "3.5.0", "model": "PSF-BD1-GL", "otaAvailable": .object(offer)]],
            "cloud": ["appId": "hub-app", "appSecret": .string(secret),
                      "accounts": [["email": "o@example.com", "password": "pw", "region": "us",
                                    "apikey": .string(UUID().uuidString.lowercased()), "devices": [.string(plugID)]]]],
        ]
        let f = try await HubFixture(cloudFleet: try Fleet.parse(doc.serializedBytes, file: "hub-cloud"), appID: "hub-app",
                                     appSecret: secret, email: "o@example.com", password: "pw")
        try await f.startHub()
        let plug = f.sim.devices[0]
        let deadline = ContinuousClock.now + .seconds(15)
        while await HubWire.request(f.socketPath, "GET", "/health")?.json?["cloud"] != "connected" && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(await HubWire.request(f.socketPath, "GET", "/health")?.json?["cloud"] == "connected", "\(f.log().suffix(2000))")
        // The LAN refuses: the hub's warm WebSocket carries the command.
        _ = await plug.setFaults { $0.lan = .refuse }
        let on = try await CommandRunner.run("ewelink", ["on", plug.id, "--json"], environment: f.env)
        #expect(on.status == 0, "\(on.stderr)")
        #expect(on.stdout.contains(#""route":"websocket""#), "\(on.stdout)")
        #expect(plug.snapshot.params["switch"] == "on")
        #expect(f.metric("ewelink_fallbacks_total").first?.value == 1)
        #expect(f.metric("ewelink_cloud_connected").first?.value == 1)
        _ = await plug.setFaults { $0.lan = .ok }

        // OTA: accepted at once, progress and the outcome as `event: ota` on /events.
        let events = try #require(HubWire.connect(f.socketPath))
        _ = HubWire.write(events, Array("GET /events?device=\(plug.id) HTTP/1.1\r\nHost: hub\r\n\r\n".utf8))
        let started = await HubWire.request(f.socketPath, "POST", "/ota/\(plug.id)/upgrade?timeout=60")
        #expect(started?.status == 202 && started?.json?["started"] == true, "\(started?.text ?? "")")
        let again = await HubWire.request(f.socketPath, "POST", "/ota/\(plug.id)/upgrade?timeout=60")
        #expect(again?.status == 409, "a second update of the same device is refused while one runs")
        let text = await offThread { HubWire.readStream(events, until: #""ok":"#, seconds: 60) }
        close(events)
        #expect(text.contains("event: ota"), "\(text)")
        #expect(text.contains(#""ok":true"#) && text.contains(#""to":"3.6.1""#), "\(text)")
        #expect(plug.snapshot.fwVersion == "3.6.1")
        await f.close()
    }
}
