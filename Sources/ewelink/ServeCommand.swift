import ArgumentParser
import CommandLineUsage
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `ewelink serve` hands over to `ewelink-hub`, installed next to `ewelink`: the HTTP server lives
/// there, so this binary stays small and quick to start.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the hub: one resident process that keeps devices, the LAN and the cloud session warm; "
            + "`ewelink` commands, scripts and dashboards go through it (runs `ewelink-hub`).",
        discussion: """
            While it runs, on/off/toggle/status/send/devices/watch go through the hub (its part of a command is \
            about 2 ms: no store read, no mDNS lookup, no cold cloud connection), with the same output and exit \
            status as without it (--no-hub does the work in the command's own process). The API: GET /health, /devices, /devices/{id}, /devices/{id}/status, /events \
            (Server-Sent Events, as `watch --json`), /metrics (Prometheus); POST /devices/{id}/on|off|toggle|send, \
            /ota/{id}/upgrade. The Unix socket has mode 0600; TCP (--listen) needs a bearer token from a 0600 file. \
            With --mqtt, also a bridge to an MQTT broker: each device's state, availability and commands \
            (ewelink/<device>, ewelink/<device>/set) and Home Assistant discovery (README: MQTT). A systemd unit: scripts/ewelink.service. Exit status: 0 stopped by SIGTERM/SIGINT, 2 bad options or an \
            unsafe socket folder or token file, 1 could not start.
            """)

    @Option(help: "The Unix socket. (default: $EWELINK_HUB_SOCKET, else $EWELINK_HOME/hub.sock, else $XDG_RUNTIME_DIR/ewelink.sock)")
    var socket: String?
    @Option(help: "Also listen on TCP, HOST:PORT (needs --token-file).")
    var listen: String?
    @Option(help: "File holding the bearer token TCP clients must send (mode 0600): at least 128 random bits, e.g. `openssl rand -hex 32 > FILE`.")
    var tokenFile: String?
    @Option(help: "A name TCP clients may use for the hub in `Host` (besides IP addresses, localhost and the --listen host); repeatable. Others are refused (403), against DNS rebinding.")
    var allowedHost: [String] = []
    @Flag(help: "Do not use or follow the cloud even when logged in.")
    var noCloud = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical. (default: info)")
    var logLevel: String?
    @Option(help: "Seconds a command or status read may take, its wait for the device's turn included, before the hub answers 504; 0 < t ≤ 30. (default: 30)")
    var commandTimeout: String?
    @OptionGroup var mqttArguments: MQTTArguments

    func run() throws {
        let hub = executableURL().deletingLastPathComponent().appendingPathComponent("ewelink-hub").path
        guard FileManager.default.isExecutableFile(atPath: hub) else {
            throw fail("the hub needs ewelink-hub next to ewelink (\(hub)); build or install both", code: 1)
        }
        var argv = [hub]
        if let socket { argv += ["--socket", socket] }
        if let listen { argv += ["--listen", listen] }
        if let tokenFile { argv += ["--token-file", tokenFile] }
        for host in allowedHost { argv += ["--allowed-host", host] }
        if noCloud { argv.append("--no-cloud") }
        if let logLevel { argv += ["--log-level", logLevel] }
        if let commandTimeout { argv += ["--command-timeout", commandTimeout] }
        // The MQTT options as they are: ewelink-hub checks them (and links libmosquitto, ewelink does not).
        argv += mqttArguments.passThrough
        var cArgs = argv.map { strdup($0) } + [nil]
        execv(hub, &cArgs)
        throw fail("cannot start \(hub): \(String(cString: strerror(errno)))", code: 1)
    }
}
