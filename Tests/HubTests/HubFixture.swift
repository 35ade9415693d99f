import EWeLink
import EWeLinkHubClient
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A simulated fleet, a store made through the CLI, and `ewelink-hub` running on it as its own
/// process (the way `ewelink serve` runs it).
final class HubFixture: @unchecked Sendable {
    let sim: Simulator
    let home: String
    /// What every process of this fixture runs with (the store; the mock cloud when there is one).
    private(set) var env: [String: String]
    /// Whether the hub uses the cloud (a logged-in store).
    private var cloud = false
    var socketPath: String { home + "/hub.sock" }
    private(set) var process: Process?
    let logPath: String

    init(_ kinds: [(type: String, encrypted: Bool)]) async throws {
        sim = Simulator(fleet: TestFleet.make(kinds))
        try await sim.start()
        home = Self.makeHome()
        env = ["EWELINK_HOME": home]
        logPath = home + "/hub.log"
        for d in sim.devices {
            var args = ["devices", "add", d.id, "--name", d.config.name, "--no-check"]
            if let key = d.config.devicekey { args += ["--devicekey", key] }
            let r = try await CommandRunner.run("ewelink", args, environment: ["EWELINK_HOME": home])
            #expect(r.status == 0, "\(r.stderr)")
        }
    }

    /// A fleet with a mock cloud, logged in and synced through the CLI: the hub uses the cloud.
    init(cloudFleet fleet: Fleet, appID: String, appSecret: String, email: String, password: String) async throws {
        sim = try await Simulator.startedWithCloud(fleet, mdns: true)
        home = Self.makeHome()
        env = ["EWELINK_HOME": home, "EWELINK_APP_ID": appID, "EWELINK_APP_SECRET": appSecret,
               "EWELINK_API_URL": sim.cloud!.baseURL]
        logPath = home + "/hub.log"
        cloud = true
        let login = try await CommandRunner.run("ewelink", ["login", "--email", email, "--country-code", "+1", "--password-stdin"],
                                                environment: env, stdin: password + "\n")
        guard login.status == 0 else { throw TestFailure("login: \(login.stderr)") }
        let sync = try await CommandRunner.run("ewelink", ["sync"], environment: env)
        guard sync.status == 0 else { throw TestFailure("sync: \(sync.stderr)") }
    }

    /// Short: a Unix socket path holds 107 bytes.
    private static func makeHome() -> String {
        let home = "/tmp/ewh-" + String(UUID().uuidString.prefix(8))
        try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return home
    }

    /// Starts the hub and waits until it answers `/health`.
    func startHub(_ extra: [String] = [], waitForDevices: Bool = true) async throws {
        let p = Process()
        p.executableURL = CommandRunner.binDirectory.appendingPathComponent("ewelink-hub")
        p.arguments = (cloud ? [] : ["--no-cloud"]) + extra
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle.nullDevice
        try p.run()
        process = p
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if await HubWire.request(socketPath, "GET", "/health")?.status == 200 { break }
            guard p.isRunning else { throw TestFailure("the hub exited at start: \(self.log())") }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard await HubWire.request(socketPath, "GET", "/health")?.status == 200 else { throw TestFailure("no hub: \(self.log())") }
        // Every device announced: the hub knows their addresses as a direct command would.
        guard waitForDevices else { return }
        while ContinuousClock.now < deadline {
            let seen = metric("ewelink_online").filter { m in m.value == 1 && sim.devices.contains { m.labels.contains($0.id) } }.count
            if seen >= sim.devices.count { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("the hub did not see every device: \(metric("ewelink_online"))")
    }

    /// Sends `signal` and waits for the hub's exit status.
    @discardableResult
    func stopHub(_ signal: Int32 = SIGTERM) async -> Int32 {
        guard let p = process else { return -1 }
        kill(p.processIdentifier, signal)
        let deadline = ContinuousClock.now + .seconds(20)
        while p.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        process = nil
        return p.terminationReason == .uncaughtSignal ? -p.terminationStatus : p.terminationStatus
    }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Samples of one metric family: labels text → value.
    func metric(_ name: String) -> [(labels: String, value: Double)] {
        guard let reply = HubWire.requestBlocking(socketPath, "GET", "/metrics") else { return [] }
        return reply.text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " ") else { return nil }
            // Label values may hold spaces (names): the value is after the last one.
            guard let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { return nil }
            return (String(line[..<space].dropFirst(name.count)), v)
        }
    }

    func close() async {
        await stopHub()
        await sim.stop()
        try? FileManager.default.removeItem(atPath: home)
    }
}

/// HTTP/1.1 over a Unix socket with blocking calls, as a test client (and a hostile one).
enum HubWire {
    /// A reply as the package's one reply parser reads it.
    typealias Reply = HTTPReply

    static func connect(_ path: String) -> Int32? {
        UnixSocket.connect(path, receiveTimeoutSeconds: 20, sendTimeoutSeconds: 20)
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool { UnixSocket.send(fd, bytes) }

    /// What a streaming connection (`/events`) sends until `marker` shows, the peer closes, or
    /// `seconds` pass.
    static func readStream(_ fd: Int32, until marker: String, seconds: Int) -> String {
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 8192)
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline && !text.contains(marker) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 200) > 0 else { continue }
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            text += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        return text
    }

    /// One request over the hub's Unix socket, waited for on a thread of its own: the hub may be
    /// talking to an in-process simulator, which needs the cooperative pool this test would block.
    static func request(_ path: String, _ method: String, _ target: String, body: [UInt8] = [],
                        headers: [String: String] = [:]) async -> Reply? {
        await offThread { requestBlocking(path, method, target, body: body, headers: headers) }
    }

    /// ``request(_:_:_:body:headers:)`` on the calling thread (for work already off the pool).
    static func requestBlocking(_ path: String, _ method: String, _ target: String, body: [UInt8] = [],
                                headers: [String: String] = [:]) -> Reply? {
        guard let fd = connect(path) else { return nil }
        defer { close(fd) }
        return exchange(fd, method, target, body: body, headers: headers)
    }

    static func exchange(_ fd: Int32, _ method: String, _ target: String, body: [UInt8] = [],
                         headers: [String: String] = [:], host: String = "hub") -> Reply? {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        _ = write(fd, Array((head + "\r\n").utf8) + body)
        var pending: [UInt8] = []
        return try? HTTPReply.read(fd, pending: &pending).get()
    }

    /// The reply in what a connection received.
    static func parse(_ raw: [UInt8]) -> Reply? { HTTPReply.parse(raw) }

    /// A TCP connection to 127.0.0.1:port, naming the hub `host` (its address by default); nil when
    /// nothing answers within `seconds`.
    static func tcp(port: Int, _ method: String, _ target: String, headers: [String: String] = [:], host: String? = nil,
                    seconds: Int = 20) async -> Reply? {
        await offThread { tcpBlocking(port: port, method, target, headers: headers, host: host, seconds: seconds) }
    }

    /// ``tcp(port:_:_:headers:host:seconds:)`` on the calling thread (for work already off the pool).
    static func tcpBlocking(port: Int, _ method: String, _ target: String, headers: [String: String] = [:],
                            host: String? = nil, seconds: Int = 20) -> Reply? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok else { return nil }
        return exchange(fd, method, target, headers: headers, host: host ?? "127.0.0.1:\(port)")
    }

    /// A free TCP port on 127.0.0.1 (bound, read, released).
    static func freePort() -> Int { LoopbackHTTPServer.freePort() }
}

/// Runs blocking work on a thread of its own (the cooperative pool stays free).
func offThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { cont in Thread { cont.resume(returning: work()) }.start() }
}

extension HTTPReply {
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
}
