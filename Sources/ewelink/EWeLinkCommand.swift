import ArgumentParser
import CommandLineUsage
import Dispatch
import EWeLink
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

@main
struct EWeLinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ewelink",
        abstract: "Control eWeLink / Sonoff devices on the local network, with the eWeLink cloud as fallback.",
        version: EWeLinkVersion.current,
        subcommands: [
            DiscoverCommand.self, OnCommand.self, OffCommand.self, ToggleCommand.self, StatusCommand.self,
            SendCommand.self, WatchCommand.self, ServeCommand.self, OTACommand.self, DemoCommand.self, DevicesCommand.self, ScanCommand.self, LoginCommand.self, SyncCommand.self, APICommand.self, DebugCommand.self,
        ]
    )

    /// As ArgumentParser's own `main`, with two differences. The arguments are parsed before Swift
    /// concurrency is touched, so `--help`, `--version`, completion scripts and usage errors exit
    /// without the runtime starting a thread; only an async subcommand's `run` starts it. And a
    /// usage error (missing argument, unknown flag or subcommand, a value that does not parse) is one
    /// line on stderr and exit status 2, as every other bad input; `--help` and `--version` print as
    /// they always did.
    static func main() {
        // on / off / toggle / status of one device: parsed by hand, and done without Swift
        // concurrency when the device's address is known (`HotPath`); every other form, and every
        // error, is swift-argument-parser's below.
        let arguments = Array(CommandLine.arguments.dropFirst())
        // What swift-argument-parser prints for it, without building its tables first.
        if arguments == ["--version"] {
            printLine(EWeLinkVersion.current)
            Glibc.exit(0)
        }
        if let hot = HotFront.parse(arguments) { HotPath.run(hot) }
        let command: ParsableCommand
        do { command = try parseAsRoot() } catch { exitReporting(error) }
        // A running hub does the work at once (it exits here); without one, this process does.
        if let routable = command as? any HubRoutable { HubRouting.runIfHub(routable) }
        if let watch = command as? WatchCommand { watch.followHubIfRunning() }
        if let async = command as? AsyncParsableCommand {
            let parsed = ParsedCommand(command: async)
            Task { await parsed.run() }
            dispatchMain()
        }
        var sync = command
        do { try sync.run() } catch { exitReporting(error) }
    }

    static func exitReporting(_ error: Error) -> Never {
        exitReporting(error, printLine: printError)
    }

    /// An async subcommand as parsed, handed to the one task that runs it (nothing else holds it).
    struct ParsedCommand: @unchecked Sendable {
        var command: any AsyncParsableCommand

        func run() async -> Never {
            var command = command
            do { try await command.run() } catch { exitReporting(error) }
            Glibc.exit(0)
        }
    }
}
