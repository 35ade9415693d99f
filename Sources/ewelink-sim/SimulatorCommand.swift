import ArgumentParser
import CommandLineUsage
import EWeLinkLAN
import EWeLinkSimulator
import Foundation

@main
struct SimulatorTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ewelink-sim",
        abstract: "A fleet of virtual eWeLink devices speaking the real LAN protocol on 127.0.0.1, and the demo.",
        subcommands: [SimulatorCommand.self, DemoCommand.self], defaultSubcommand: SimulatorCommand.self)

    /// A usage error exits 2, as in every executable of the package (ArgumentParser's is 64).
    static func main() async {
        await mainReportingUsage(printLine: printError)
    }
}

struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a fleet of virtual eWeLink devices speaking the real LAN protocol on 127.0.0.1 (the default).",
        discussion: """
            Devices are published over mDNS through the avahi-daemon on the loopback interface only, and \
            answer /zeroconf/<endpoint> on their port. Prints one JSON line {"event":"ready",…} on stdout \
            once every service is established, then runs until interrupted (SIGINT/SIGTERM).
            Control API: GET /devices, POST /devices/{id}/fault, POST /devices/{id}/press.
            """
    )

    @Option(help: "The fleet file: {\"devices\":[{\"id\",\"type\",\"port\",…}]}.")
    var fleet: String

    @Option(help: "Port of the control API on 127.0.0.1 (0: a free port, printed in the ready line).")
    var controlPort: Int = 0

    @Option(help: "Port of the mock eWeLink cloud on 127.0.0.1 (0: a free port); needs a \"cloud\" member in the fleet.")
    var cloudPort: Int?

    @Option(help: "With --cloud-tls-key: also serve the mock cloud over TLS (https:// and wss://) with this PEM certificate chain, on a free port named in the ready line (cloudTLS).")
    var cloudTlsCert: String?

    @Option(help: "The PEM private key of --cloud-tls-cert.")
    var cloudTlsKey: String?

    @Option(help: "Network interface to publish on. Keep lo unless you mean to show the devices to a network.")
    var interface: String = "lo"

    @Flag(help: "Do not publish over mDNS (HTTP only; for machines without an avahi-daemon).")
    var noMdns = false

    func run() async throws {
        let loaded: Fleet
        do { loaded = try Fleet.load(path: fleet) } catch {
            printError("ewelink-sim: \(error)")
            throw ExitCode(2)
        }
        if (cloudTlsCert == nil) != (cloudTlsKey == nil) || (cloudTlsCert != nil && cloudPort == nil) {
            printError("ewelink-sim: --cloud-tls-cert and --cloud-tls-key go together, with --cloud-port")
            throw ExitCode(2)
        }
        var options = Simulator.Options()
        options.controlPort = controlPort
        options.interface = interface
        options.publishMDNS = !noMdns
        options.cloudPort = cloudPort
        let simulator = Simulator(fleet: loaded, options: options)
        do {
            try await simulator.start()
        } catch {
            printError("ewelink-sim: cannot start: \(error)")
            await simulator.stop()
            throw ExitCode(1)
        }
        var ready = simulator.readyEvent
        if let cloudTlsCert, let cloudTlsKey, let cloud = simulator.cloud {
            do {
                let port = try await cloud.serveTLS(certificateFile: cloudTlsCert, keyFile: cloudTlsKey)
                ready["cloudTLS"] = .string("https://localhost:\(port)/{region}")
            } catch {
                printError("ewelink-sim: cannot serve the cloud over TLS: \(error)")
                await simulator.stop()
                throw ExitCode(1)
            }
        }
        print(ready.serialized)
        fflush(nil)
        await waitForTermination()
        await simulator.stop()
    }

    private func waitForTermination() async {
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            let once = OnceFlag()
            var sources: [any DispatchSourceSignal] = []
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { if once.set() { cont.resume() } }
                source.resume()
                sources.append(source)
            }
            SignalSources.keep(sources)
        }
    }
}

/// Keeps the signal sources alive for the life of the process.
enum SignalSources {
    nonisolated(unsafe) private static var kept: [any DispatchSourceSignal] = []
    static func keep(_ sources: [any DispatchSourceSignal]) { kept = sources }
}

final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func set() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if done { return false }
        done = true
        return true
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
