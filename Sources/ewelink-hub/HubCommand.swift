import ArgumentParser
import CommandLineUsage
import EWeLink
import EWeLinkHub
import EWeLinkHubClient
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `ewelink-hub`, started by `ewelink serve`: the resident hub (its own executable, so the
/// one-shot `ewelink` carries no HTTP server).
@main
struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ewelink-hub",
        abstract: "The eWeLink hub: one process that keeps every device, the LAN and the cloud session warm, "
            + "for `ewelink` commands, scripts and dashboards (usually started as `ewelink serve`).",
        discussion: """
            Listens on a Unix socket (mode 0600: only this user) and, with --listen, on TCP as well, where every \
            request must carry `Authorization: Bearer <token>` from --token-file (a file of mode 0600). The API: \
            GET /health, /devices, /devices/{id}, /devices/{id}/status, /events (Server-Sent Events), /metrics \
            (Prometheus); POST /devices/{id}/on|off|toggle|send, /ota/{id}/upgrade (openapi.yaml in the sources). \
            With --mqtt, also a bridge to an MQTT broker: each device's state, availability and commands \
            (ewelink/<device>, ewelink/<device>/set) and Home Assistant discovery (README: MQTT). Stops cleanly on SIGTERM or SIGINT. Exit status: 0 stopped, 2 bad options or an unsafe socket/token \
            file, 1 could not start (another hub on the socket, the address in use).
            """,
        version: EWeLinkVersion.current)

    @Option(help: "The Unix socket. (default: $EWELINK_HUB_SOCKET, else $EWELINK_HOME/hub.sock, else $XDG_RUNTIME_DIR/ewelink.sock)")
    var socket: String?
    @Option(help: "Also listen on TCP, HOST:PORT (needs --token-file).")
    var listen: String?
    @Option(help: "File holding the bearer token TCP clients must send (mode 0600, owned by you): at least 128 random bits, e.g. `openssl rand -hex 32 > FILE`.")
    var tokenFile: String?
    @Option(help: "A name TCP clients may use for the hub in `Host` (besides IP addresses, localhost and the --listen host); repeatable. Others are refused (403), against DNS rebinding.")
    var allowedHost: [String] = []
    @Flag(help: "Do not use or follow the cloud even when logged in.")
    var noCloud = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical. (default: info)")
    var logLevel: String = "info"
    @Option(help: "Largest request body in bytes. (default: 65536)")
    var maxBody: Int = 65536
    @Option(help: "Seconds a command or status read may take, its wait for the device's turn included, before the hub answers 504; 0 < t ≤ 30. (default: 30)")
    var commandTimeout: Double = 30
    @OptionGroup var mqttArguments: MQTTArguments

    /// A usage error exits 2, as in every executable of the package (ArgumentParser's is 64).
    static func main() async {
        await mainReportingUsage { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let level = Logger.Level(rawValue: logLevel) else { throw Self.fail("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
        guard (1...16 << 20).contains(maxBody) else { throw Self.fail("--max-body must be 1 ... 16777216 bytes") }
        guard commandTimeout > 0, commandTimeout <= 30 else { throw Self.fail("--command-timeout must be seconds, 0 < t ≤ 30") }
        // Whatever the hub creates (the socket above all) is the owner's alone.
        umask(0o077)
        Self.raiseFileLimit()
        var options = HubOptions(socketPath: socket ?? HubAddress.socketPath(environment: environment), environment: environment)
        options.cloud = !noCloud
        options.maxBodyBytes = maxBody
        options.commandTimeout = .milliseconds(Int64(commandTimeout * 1000))
        if let listen {
            guard let address = Self.parseAddress(listen) else { throw Self.fail("--listen must be HOST:PORT, got '\(listen.prefix(80))'") }
            guard let tokenFile else {
                throw Self.fail("--listen needs --token-file: TCP clients must show a bearer token (the Unix socket needs none)")
            }
            options.listen = address
            options.token = try Self.readToken(tokenFile)
            options.allowedHosts = allowedHost
        } else if tokenFile != nil {
            throw Self.fail("--token-file is for --listen (the Unix socket is guarded by its mode, 0600)")
        } else if !allowedHost.isEmpty {
            throw Self.fail("--allowed-host is for --listen (it names the hub for TCP clients)")
        }
        options.mqtt = try mqttOptions()
        try Self.prepareSocket(options.socketPath)

        LoggingSystem.bootstrap { label in
            // Every line escaped: much of what the hub logs comes from the network.
            var handler = EscapingLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ewelink-hub")
        let hub: Hub
        do { hub = try Hub(options: options, logger: logger) } catch {
            throw Self.fail("\(error)", code: ExitStatus.code(for: error))
        }
        do {
            try await HubServer.run(hub, logger: logger) { address in logger.notice("listening on \(address)") }
        } catch {
            throw Self.fail("\(error)", code: 1)
        }
    }

    /// The MQTT bridge's options, or nil without --mqtt (whose companions then are refused).
    func mqttOptions() throws -> MQTTOptions? {
        let m = mqttArguments
        let (mqtt, mqttPasswordFile, mqttCaFile, mqttPrefix, discoveryPrefix, noDiscovery, mqttTopic) =
            (m.mqtt, m.mqttPasswordFile, m.mqttCaFile, m.mqttPrefix, m.discoveryPrefix, m.noDiscovery, m.mqttTopic)
        guard let mqtt else {
            let given = [("--mqtt-password-file", mqttPasswordFile != nil), ("--mqtt-ca-file", mqttCaFile != nil),
                         ("--mqtt-prefix", mqttPrefix != nil), ("--discovery-prefix", discoveryPrefix != nil),
                         ("--no-discovery", noDiscovery), ("--mqtt-topic", mqttTopic != nil)].filter(\.1).map(\.0)
            if let first = given.first { throw Self.fail("\(first) is for --mqtt (the MQTT bridge)") }
            return nil
        }
        var options: MQTTOptions
        switch MQTTOptions.parse(url: mqtt) {
        case .success(let o): options = o
        case .failure(let error): throw Self.fail(error.message)
        }
        if let mqttPasswordFile {
            guard options.username != nil else {
                throw Self.fail("--mqtt-password-file needs a user name in the URL: mqtt://USER@host[:port]")
            }
            options.password = try Self.readOwnerOnly(mqttPasswordFile, what: "MQTT password file")
        }
        if let mqttCaFile {
            guard options.tls else { throw Self.fail("--mqtt-ca-file is for mqtts:// (TLS)") }
            guard FileManager.default.isReadableFile(atPath: mqttCaFile) else { throw Self.fail("cannot read the CA file \(mqttCaFile)") }
            options.caFile = mqttCaFile
        }
        for (name, value) in [("--mqtt-prefix", mqttPrefix), ("--discovery-prefix", discoveryPrefix)] {
            if let value, let problem = MQTTOptions.prefixProblem(value) { throw Self.fail("\(name) \(problem)") }
        }
        if let mqttPrefix { options.prefix = mqttPrefix }
        if let discoveryPrefix { options.discoveryPrefix = discoveryPrefix }
        options.discovery = !noDiscovery
        if let mqttTopic {
            guard let naming = MQTTOptions.TopicNaming(rawValue: mqttTopic) else { throw Self.fail("--mqtt-topic must be id or name") }
            options.topicNaming = naming
        }
        return options
    }

    static func fail(_ message: String, code: Int32 = 2) -> ExitCode {
        FileHandle.standardError.write(Data("ewelink-hub: \(message)\n".utf8))
        return ExitCode(code)
    }

    /// HOST:PORT; the host a name or an IPv4 address.
    static func parseAddress(_ text: String) -> HubOptions.TCPAddress? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, host.utf8.count <= 253 else { return nil }
        return .init(host: host, port: port)
    }

    /// The token: the first line of a file only its owner (us) can read or write.
    static func readToken(_ path: String) throws -> String {
        let token = try readOwnerOnly(path, what: "token file")
        guard token.count >= 16 else { throw fail("the token file \(path) must hold a token of at least 16 characters on its first line") }
        if let weakness = HubToken.weakness(token) { throw fail("the token in \(path) is too easy to guess: \(weakness)") }
        return token
    }

    /// The first line (trimmed, not empty) of a secret's file: ours, and mode 0600 or stricter.
    static func readOwnerOnly(_ path: String, what: String) throws -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { throw fail("cannot read the \(what) \(path): \(String(cString: strerror(errno)))") }
        guard st.st_uid == geteuid() else { throw fail("the \(what) \(path) is not yours: refusing it") }
        guard st.st_mode & 0o077 == 0 else {
            throw fail("the \(what) \(path) can be read by others (mode \(String(st.st_mode & 0o777, radix: 8))): chmod 600 it")
        }
        guard let data = FileManager.default.contents(atPath: path),
              let line = String(data: data, encoding: .utf8)?.split(whereSeparator: \.isNewline).first
                .map({ $0.trimmingCharacters(in: .whitespaces) }), !line.isEmpty else {
            throw fail("the \(what) \(path) must hold the secret on its first line")
        }
        return line
    }

    /// Checks the socket's folder (ours, or sticky like /tmp; made 0700 when missing) and clears
    /// a stale socket; refuses when another hub answers there.
    static func prepareSocket(_ path: String) throws {
        guard path.utf8.count <= HubAddress.maxSocketPathBytes else {
            throw fail("the socket path is longer than \(HubAddress.maxSocketPathBytes) bytes: \(path)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch { throw fail("cannot create \(folder): \(error.localizedDescription)") }
        }
        var st = stat()
        guard stat(folder, &st) == 0 else { throw fail("cannot use the folder \(folder): \(String(cString: strerror(errno)))") }
        let sticky = st.st_mode & 0o1000 != 0
        guard st.st_uid == geteuid() || sticky else {
            throw fail("the socket's folder \(folder) belongs to someone else: choose another with --socket")
        }
        guard st.st_mode & 0o022 == 0 || sticky else {
            throw fail("the socket's folder \(folder) can be written by others: choose another with --socket")
        }
        guard lstat(path, &st) == 0 else { return }
        guard st.st_mode & S_IFMT == S_IFSOCK else { throw fail("\(path) exists and is not a socket: not replacing it") }
        if HubProbe.answers(path) { throw fail("another hub already listens on \(path)", code: 1) }
        unlink(path)
    }

    /// Room for many idle clients: the soft limit on open files raised to the hard one.
    static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// Whether something accepts connections on a Unix socket.
enum HubProbe {
    static func answers(_ path: String) -> Bool {
        guard let fd = UnixSocket.connect(path) else { return false }
        close(fd)
        return true
    }
}
