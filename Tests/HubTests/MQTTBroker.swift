import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Synchronization
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A real Eclipse Mosquitto broker (Debian's `mosquitto`) for one test: its own config on a free
/// port of 127.0.0.1 (never the default listener), no persistence (a restart loses retained
/// messages, as a broker without a store does), and optionally a password file or TLS.
final class MQTTBroker: @unchecked Sendable {
    static let executable = "/usr/sbin/mosquitto"
    let directory: String
    let port: Int
    let users: [String: String]
    let tls: TestCertificates.Leaf?
    private var process: Process?

    var host: String { "127.0.0.1" }
    var url: String { "\(tls == nil ? "mqtt" : "mqtts")://127.0.0.1:\(port)" }
    var logPath: String { directory + "/broker.log" }

    /// Starts a broker: anonymous, or with `users` (name → password) only; over TLS with `tls`.
    init(users: [String: String] = [:], tls: TestCertificates.Leaf? = nil) async throws {
        directory = "/tmp/mqb-" + String(UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = HubWire.freePort()
        self.users = users
        self.tls = tls
        var config = [
            "listener \(port) 127.0.0.1",
            "persistence false",
            "log_dest file \(directory)/broker.log",
            "log_type error", "log_type warning", "log_type notice", "log_type information",
            // Started as root, mosquitto would change to the `mosquitto` user and lose this folder.
            "user \(String(cString: getpwuid(geteuid()).pointee.pw_name))",
        ]
        if users.isEmpty {
            config.append("allow_anonymous true")
        } else {
            let passwd = directory + "/passwd"
            for (n, (user, password)) in users.enumerated() {
                let r = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/mosquitto_passwd"),
                                                    (n == 0 ? ["-c"] : []) + ["-b", passwd, user, password])
                guard r.status == 0 else { throw TestFailure("mosquitto_passwd: \(r.stderr)") }
            }
            chmod(passwd, 0o600)
            config += ["allow_anonymous false", "password_file \(passwd)"]
        }
        if let tls { config += ["certfile \(tls.certificate)", "keyfile \(tls.key)"] }
        try (config.joined(separator: "\n") + "\n").write(toFile: directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
        try await start()
    }

    /// Starts (again, on the same port) and waits until it accepts connections.
    func start() async throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.executable)
        p.arguments = ["-c", directory + "/mosquitto.conf"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        process = p
        try await eventually(timeout: .seconds(20), "the broker on port \(port)") {
            guard p.isRunning else { throw TestFailure("mosquitto exited: \(self.log())") }
            return Self.accepts(port: self.port)
        }
    }

    /// Stops it at once (SIGKILL: children of the test process inherit its blocked SIGTERM; a
    /// broker that vanishes is also the harder case for the bridge) and waits for its exit.
    func stop() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func close() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// Home Assistant's stand-in: Debian's `mosquitto_sub` on every topic, each message kept (with
/// its retain flag), and `mosquitto_pub` to send.
final class MQTTSpy: @unchecked Sendable {
    struct Message: Sendable {
        var retained: Bool
        var topic: String
        var payload: String
        var json: JSONValue? { try? JSONValue.parse(payload) }
    }

    let broker: MQTTBroker
    let credentials: (user: String, password: String)?
    private let process = Process()
    /// What arrived, shared with the pipe's reading handler.
    private final class Received: Sendable {
        let state = Mutex<(messages: [Message], partial: [UInt8])>(([], []))
    }

    private let box = Received()

    init(_ broker: MQTTBroker, filter: String = "#", credentials: (user: String, password: String)? = nil,
         caFile: String? = nil) throws {
        self.broker = broker
        self.credentials = credentials
        self.caFile = caFile
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        process.arguments = connectionArguments + ["-t", filter, "-q", "1", "-F", #"%r\t%t\t%p"#]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let box = self.box
        out.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { handle.readabilityHandler = nil; return }
            box.state.withLock { r in
                r.partial += data
                while let newline = r.partial.firstIndex(of: 0x0A) {
                    let line = String(decoding: r.partial[..<newline], as: UTF8.self)
                    r.partial.removeSubrange(...newline)
                    let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
                    guard parts.count == 3 else { continue }
                    r.messages.append(Message(retained: parts[0] == "1", topic: String(parts[1]), payload: String(parts[2])))
                }
            }
        }
        try process.run()
    }

    var connectionArguments: [String] {
        var a = ["-h", "127.0.0.1", "-p", String(broker.port), "-V", "mqttv311"]
        if let credentials { a += ["-u", credentials.user, "-P", credentials.password] }
        if broker.tls != nil, let ca = caFile { a += ["--cafile", ca] }
        return a
    }

    /// The CA file clients trust for a TLS broker.
    let caFile: String?

    var messages: [Message] { box.state.withLock { $0.messages } }

    func messages(on topic: String) -> [Message] { messages.filter { $0.topic == topic } }

    /// The last message on `topic`.
    func last(_ topic: String) -> Message? { messages.last { $0.topic == topic } }

    /// Forgets what was received so far.
    func clear() { box.state.withLock { $0.messages.removeAll() } }

    /// Waits until a message satisfies `condition`; returns it.
    @discardableResult
    func wait(_ what: String, timeout: Duration = .seconds(30), where condition: @escaping (Message) -> Bool) async throws -> Message {
        var found: Message?
        try await eventually(timeout: timeout, what) {
            found = self.messages.last(where: condition)
            return found != nil
        }
        return found!
    }

    /// Publishes one message (QoS 1) with `mosquitto_pub`.
    func publish(_ topic: String, _ payload: String, retain: Bool = false) async throws {
        let r = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/mosquitto_pub"),
                                            connectionArguments + ["-t", topic, "-m", payload, "-q", "1"] + (retain ? ["-r"] : []))
        guard r.status == 0 else { throw TestFailure("mosquitto_pub: \(r.stderr)") }
    }

    /// Publishes a file's bytes as one message.
    func publish(_ topic: String, file: String) async throws {
        let r = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/mosquitto_pub"),
                                            connectionArguments + ["-t", topic, "-f", file, "-q", "1"])
        guard r.status == 0 else { throw TestFailure("mosquitto_pub -f: \(r.stderr)") }
    }

    /// Publishes each line as a message, as fast as one client can.
    func publish(_ topic: String, lines: [String]) async throws {
        let r = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/mosquitto_pub"),
                                            connectionArguments + ["-t", topic, "-l", "-q", "1"],
                                            stdin: lines.joined(separator: "\n") + "\n")
        guard r.status == 0 else { throw TestFailure("mosquitto_pub -l: \(r.stderr)") }
    }

    func close() {
        if process.isRunning {
            // SIGKILL: SIGTERM is blocked in the test process, and so in its children.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
