import ArgumentParser
import EWeLink
import Foundation

@main
struct EWeLinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ewelink",
        abstract: "Control eWeLink / Sonoff devices on the local network, with the eWeLink cloud as fallback.",
        version: EWeLinkVersion.current,
        subcommands: [
            DiscoverCommand.self, OnCommand.self, OffCommand.self, ToggleCommand.self, StatusCommand.self,
            SendCommand.self, WatchCommand.self, OTACommand.self, DemoCommand.self, DevicesCommand.self, ScanCommand.self, LoginCommand.self, SyncCommand.self, APICommand.self, DebugCommand.self,
        ]
    )

    /// As ArgumentParser's own `main`, except that a usage error (missing argument, unknown flag or
    /// subcommand, a value that does not parse) is one line on stderr and exit status 2, as every
    /// other bad input; `--help` and `--version` print as they always did.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var async = command as? AsyncParsableCommand { try await async.run() } else { try command.run() }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            printError("ewelink: " + usageLine(message(for: error)) + " (see `\(helpCommand(fullMessage(for: error)))`)")
            Foundation.exit(ExitStatus.badInput)
        }
    }

    /// The first line of a parser message, with its sentence case lowered to match our messages.
    static func usageLine(_ message: String) -> String {
        let line = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid arguments"
        return line.prefix(1).lowercased() + line.dropFirst()
    }

    /// The help command the parser's full text points to (`ewelink on --help`).
    static func helpCommand(_ fullText: String) -> String {
        guard let start = fullText.range(of: "See '"), let end = fullText[start.upperBound...].firstIndex(of: "'") else {
            return "ewelink --help"
        }
        return String(fullText[start.upperBound..<end])
    }
}
