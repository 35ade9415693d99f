import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// The CLI against the mock cloud over `https://` and `wss://` (issue 21), the test CA given
/// through `EWELINK_CA_FILE`. One test at a time: they time whole `ewelink` processes.
@Suite("ewelink over TLS: https:// and wss:// against the mock cloud", .serialized)
struct CloudTLSTests {
    /// Runs `ewelink` and returns the result with its wall time.
    static func timed(_ arguments: [String], _ environment: [String: String], stdin: String? = nil) async throws
        -> (TestSupport.CommandResult, Duration) {
        let started = ContinuousClock.now
        let r = try await CommandRunner.run("ewelink", arguments, environment: environment, stdin: stdin)
        return (r, ContinuousClock.now - started)
    }

    /// `watch --duration 2 --json` while the device's switch is pressed once the cloud session is up;
    /// returns the run, its wall time and whether the pressed state arrived from the cloud.
    static func watchPress(_ fixture: TLSCloudFixture, _ environment: [String: String]) async throws
        -> (TestSupport.CommandResult, Duration, Bool) {
        let before = fixture.cloud.userOnlineCount
        async let run = timed(["watch", "--duration", "2", "--json", "--no-hub"], environment)
        // Pressed only once this watch's session is up, so the change can only arrive as a push.
        var pressed = false
        let deadline = ContinuousClock.now + .milliseconds(1800)
        while ContinuousClock.now < deadline {
            if fixture.cloud.userOnlineCount > before && fixture.cloud.openSockets > 0 {
                try await Task.sleep(for: .milliseconds(100))
                _ = fixture.device.press()
                pressed = true
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let (r, elapsed) = try await run
        let arrived = pressed && r.lines.contains { line in
            guard let o = try? JSONValue.parse(line) else { return false }
            return o["source"] == "cloud" && o["kind"] == "state" && o["device"] == .string(fixture.device.id)
        }
        return (r, elapsed, arrived)
    }

    @Test("login, sync, on --via cloud, watch (a pushed change arrives; a 2 s watch ends within 2.5 s) and ota upgrade over TLS")
    func endToEnd() async throws {
        let fixture = try await TLSCloudFixture.start()
        defer { Task { await fixture.sim.stop() } }
        let home = TLSCloudFixture.freshHome()
        let env = fixture.environment(home: home)

        let (login, loginTime) = try await Self.timed(["login", "--email", fixture.email, "--country-code", "+49", "--password-stdin"],
                                                      env, stdin: fixture.password + "\n")
        #expect(login.status == 0, "\(login.stderr)")
        let (sync, syncTime) = try await Self.timed(["sync", "--json"], env)
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(try DeviceStore(directory: home).load().first?.devicekey == fixture.device.config.devicekey)

        let (on, onTime) = try await Self.timed(["on", fixture.device.id, "--via", "cloud", "--json", "--no-hub"], env)
        #expect(on.status == 0, "\(on.stderr)")
        #expect(fixture.device.snapshot.params["switch"] == "on")

        // Defect 1: every wss session ended about 5 s late (TLS shutdown wait).
        let (watch, watchTime, arrived) = try await Self.watchPress(fixture, env)
        #expect(watch.status == 0, "\(watch.stderr)")
        #expect(arrived, "the pressed state came through the wss push: \(watch.stdout)")
        #expect(watchTime < .milliseconds(2500), "watch --duration 2 over wss took \(watchTime)")

        let (ota, otaTime) = try await Self.timed(["ota", "upgrade", fixture.device.id, "--timeout", "30"], env)
        #expect(ota.status == 0, "\(ota.stderr)")
        #expect(ota.stdout.contains("3.6.1"))
        #expect(fixture.device.snapshot.fwVersion == "3.6.1")
        print("CloudTLSTests timings: login \(loginTime), sync \(syncTime), on --via cloud \(onTime), "
              + "watch --duration 2 \(watchTime), ota upgrade \(otaTime)")
    }

    @Test("A wss:// URL whose host is an IP address connects (no SNI; the IP SAN is checked)")
    func ipHostWebSocket() async throws {
        let fixture = try await TLSCloudFixture.start()
        defer { Task { await fixture.sim.stop() } }
        let env = fixture.environment(home: TLSCloudFixture.freshHome(), host: "127.0.0.1")
        try await fixture.loggedIn(env)
        let (watch, watchTime, arrived) = try await Self.watchPress(fixture, env)
        #expect(watch.status == 0 && watch.stderr.isEmpty, "\(watch.stderr)")
        #expect(arrived, "the pressed state came through wss://127.0.0.1: \(watch.stdout)")
        #expect(watchTime < .milliseconds(2500))
    }

    @Test("A wss:// IP host whose certificate has no IP SAN is refused with the names it has")
    func ipHostWithoutSAN() async throws {
        let fixture = try await TLSCloudFixture.start()
        defer { Task { await fixture.sim.stop() } }
        let env = fixture.environment(home: TLSCloudFixture.freshHome())
        try await fixture.loggedIn(env)
        fixture.cloud.dispatchWebSocket(toPort: fixture.nameOnly, host: "127.0.0.1")
        let (r, _) = try await Self.timed(["watch", "--duration", "1", "--no-hub"], env)
        #expect(r.status == 9, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1
                    && r.stderr.contains("the certificate of 127.0.0.1:\(fixture.nameOnly) is made out to localhost, not to 127.0.0.1"),
                "\(r.stderr)")
    }

    @Test("wss:// to a silent plain port: watch still ends on time; ota upgrade says it is no TLS port")
    func webSocketToPlainPort() async throws {
        let fixture = try await TLSCloudFixture.start()
        defer { Task { await fixture.sim.stop() } }
        let env = fixture.environment(home: TLSCloudFixture.freshHome())
        try await fixture.loggedIn(env)
        fixture.cloud.dispatchWebSocket(toPort: fixture.plainPort)
        let (watch, watchTime) = try await Self.timed(["watch", "--duration", "2", "--no-hub"], env)
        #expect(watch.status == 9 && watch.stderr.contains("did not connect"), "\(watch.stderr)")
        #expect(watchTime < .milliseconds(2500), "the unfinished handshake did not hold the exit: \(watchTime)")
        let (ota, otaTime) = try await Self.timed(["ota", "upgrade", fixture.device.id, "--timeout", "30"], env)
        #expect(ota.status == 9 && ota.stderr.contains("localhost:\(fixture.plainPort) does not answer in TLS"), "\(ota.stderr)")
        #expect(otaTime < .seconds(14), "told before the 15 s wait ran out: \(otaTime)")
    }

    /// A login that must fail: exit 9, one line on stderr holding `words`, nothing internal, no
    /// session file.
    static func refusedLogin(_ fixture: TLSCloudFixture, host: String = "localhost", port: Int, scheme: String = "https",
                             words: [String], environment extra: [String: String] = [:]) async throws {
        let home = TLSCloudFixture.freshHome()
        var env = fixture.environment(home: home, host: host, port: port, scheme: scheme)
        env.merge(extra) { _, new in new }
        let (r, elapsed) = try await timed(["login", "--email", fixture.email, "--country-code", "+49", "--password-stdin"],
                                           env, stdin: fixture.password + "\n")
        let lines = r.stderr.split(separator: "\n")
        #expect(r.status == 9, "\(scheme)://\(host):\(port): \(r.stderr)")
        #expect(lines.count == 1, "one line: \(r.stderr)")
        for word in words { #expect(r.stderr.contains(word), "'\(word)' in: \(r.stderr)") }
        for leak in ["BoringSSL", "NIOSSL", "error:", "cannot reach", "<none>", "handshakeFailed"] {
            #expect(!r.stderr.contains(leak), "no '\(leak)' in: \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: home + "/cloud.json"), "no session written")
        #expect(elapsed < .seconds(8))
    }

    @Test("Untrusted, expired, wrong-host and IP-without-SAN certificates, and https:// to a plain port: one clean sentence each")
    func refusedCertificates() async throws {
        let fixture = try await TLSCloudFixture.start()
        defer { Task { await fixture.sim.stop() } }
        try await Self.refusedLogin(fixture, port: fixture.untrusted, words: ["not a trusted CA", "Rogue Test CA", "EWELINK_CA_FILE"])
        try await Self.refusedLogin(fixture, port: fixture.expired, words: ["expired on"])
        try await Self.refusedLogin(fixture, port: fixture.otherHost, words: ["made out to other.example, not to localhost"])
        try await Self.refusedLogin(fixture, host: "127.0.0.1", port: fixture.nameOnly, words: ["made out to localhost, not to 127.0.0.1"])
        try await Self.refusedLogin(fixture, port: fixture.plainPort, words: ["does not answer in TLS", "https://"])
        try await Self.refusedLogin(fixture, host: "127.0.0.1", port: fixture.good, scheme: "http", words: ["answers in TLS", "https://"])
        // Without the CA option the test CA is not trusted either.
        try await Self.refusedLogin(fixture, port: fixture.good, words: ["not a trusted CA", "ewelink Test CA"],
                                    environment: ["EWELINK_CA_FILE": ""])
        // The IP host with its IP SAN is accepted.
        let env = fixture.environment(home: TLSCloudFixture.freshHome(), host: "127.0.0.1")
        let r = try await fixture.login(env)
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test("A private CA through caFile in config.json; an unreadable CA file is a clear error; SSL_CERT_FILE and SSL_CERT_DIR")
    func caFileSetting() async throws {
        let fixture = try await TLSCloudFixture.start()
        defer { Task { await fixture.sim.stop() } }
        let home = TLSCloudFixture.freshHome()
        var env = fixture.environment(home: home)
        env["EWELINK_CA_FILE"] = ""
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try #"{"caFile":"\#(fixture.certs.caFile)"}"#.write(toFile: home + "/config.json", atomically: true, encoding: .utf8)
        var r = try await fixture.login(env)
        #expect(r.status == 0, "\(r.stderr)")
        env["EWELINK_CA_FILE"] = home + "/missing.pem"
        r = try await fixture.login(env)
        #expect(r.status == 9 && r.stderr.contains("missing.pem") && r.stderr.contains("cannot be read"), "\(r.stderr)")
        // SSL_CERT_FILE replaces the system's CAs: the test CA alone is enough.
        env["EWELINK_CA_FILE"] = ""
        try #"{}"#.write(toFile: home + "/config.json", atomically: true, encoding: .utf8)
        env["SSL_CERT_FILE"] = fixture.certs.caFile
        r = try await fixture.login(env)
        #expect(r.status == 0, "\(r.stderr)")
        // SSL_CERT_DIR likewise (a folder in OpenSSL's hashed layout).
        env["SSL_CERT_FILE"] = ""
        env["SSL_CERT_DIR"] = try await fixture.certs.hashedDirectory()
        r = try await fixture.login(env)
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test("watch with a broken WebSocket: one stderr line with the cause, a cloud-unavailable event, exit 9; LAN events go on")
    func watchBrokenWebSocket() async throws {
        let fixture = try await TLSCloudFixture.start(mdns: true)
        defer { Task { await fixture.sim.stop() } }
        let env = fixture.environment(home: TLSCloudFixture.freshHome())
        try await fixture.loggedIn(env)
        // REST stays on the good listener; the WebSocket host shows an untrusted certificate.
        fixture.cloud.dispatchWebSocket(toPort: fixture.untrusted)
        let (r, elapsed) = try await Self.timed(["watch", "--duration", "3", "--json", "--no-hub"], env)
        #expect(r.status == 9, "\(r.stderr)")
        let stderr = r.stderr.split(separator: "\n")
        #expect(stderr.count == 1 && r.stderr.contains("cloud events unavailable") && r.stderr.contains("Rogue Test CA"), "\(r.stderr)")
        let events = r.lines.compactMap { try? JSONValue.parse($0) }
        let unavailable = events.filter { $0["kind"] == "cloud-unavailable" }
        #expect(unavailable.count == 1 && unavailable.first?["detail"]?.stringValue?.contains("not a trusted CA") == true, "\(r.stdout)")
        #expect(events.contains { $0["source"] == "mdns" && $0["device"] == .string(fixture.device.id) }, "LAN events: \(r.stdout)")
        #expect(elapsed < .milliseconds(3500))

        // Settings that cannot be used (an unreadable CA file) are reported the same way.
        var broken = env
        broken["EWELINK_CA_FILE"] = "/nonexistent/ca.pem"
        let (s, _) = try await Self.timed(["watch", "--duration", "1", "--json", "--no-hub"], broken)
        #expect(s.status == 9 && s.stderr.contains("cloud events unavailable") && s.stderr.contains("cannot be read"), "\(s.stderr)")
        #expect(s.lines.contains { (try? JSONValue.parse($0))?["kind"] == "cloud-unavailable" }, "\(s.stdout)")
    }

    @Test("ota upgrade reports the WebSocket's certificate problem at once instead of after 15 s")
    func otaBrokenWebSocket() async throws {
        let fixture = try await TLSCloudFixture.start()
        defer { Task { await fixture.sim.stop() } }
        let env = fixture.environment(home: TLSCloudFixture.freshHome())
        try await fixture.loggedIn(env)
        fixture.cloud.dispatchWebSocket(toPort: fixture.expired)
        let (r, elapsed) = try await Self.timed(["ota", "upgrade", fixture.device.id, "--timeout", "30"], env)
        #expect(r.status == 9, "\(r.stderr)")
        #expect(r.stderr.contains("expired on") && !r.stderr.contains("within"), "\(r.stderr)")
        #expect(elapsed < .seconds(5), "told after \(elapsed)")
        #expect(fixture.device.snapshot.fwVersion == "3.5.0")
    }

    @Test("HTTPS_PROXY carries the REST calls and the WebSocket through CONNECT; NO_PROXY=127.0.0.1 bypasses it")
    func proxy() async throws {
        let fixture = try await TLSCloudFixture.start()
        defer { Task { await fixture.sim.stop() } }
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        var env = fixture.environment(home: TLSCloudFixture.freshHome())
        env["HTTPS_PROXY"] = proxy.url
        try await fixture.loggedIn(env)
        #expect(proxy.targets.count >= 1 && proxy.targets.allSatisfy { $0 == "localhost:\(fixture.good)" }, "\(proxy.targets)")
        let restTunnels = proxy.targets.count
        let (watch, _, arrived) = try await Self.watchPress(fixture, env)
        #expect(watch.status == 0 && arrived, "\(watch.stderr)")
        #expect(proxy.targets.count > restTunnels, "the WebSocket went through the proxy too: \(proxy.targets)")

        var direct = fixture.environment(home: TLSCloudFixture.freshHome(), host: "127.0.0.1")
        direct["HTTPS_PROXY"] = proxy.url
        direct["NO_PROXY"] = "127.0.0.1"
        let before = proxy.targets.count
        try await fixture.loggedIn(direct)
        #expect(proxy.targets.count == before, "no tunnel with NO_PROXY: \(proxy.targets)")
    }
}
