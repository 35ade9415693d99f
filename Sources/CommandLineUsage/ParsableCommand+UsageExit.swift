import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Every executable of the package ends a usage error (missing argument, unknown flag or
/// subcommand, a value that does not parse) the same way: one line on stderr and exit status 2,
/// the status of all bad input; ArgumentParser's own is 64. `--help` and `--version` print as
/// they always did.
public enum UsageExit {
    /// The exit status of a usage error.
    public static let status: Int32 = 2
}

extension ParsableCommand {
    /// Ends the process for an error out of parsing or running: a usage error is one line,
    /// written by `printLine`, and status 2; anything else as ArgumentParser would.
    public static func exitReporting(_ error: any Error, printLine: (String) -> Void) -> Never {
        guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
        printLine("\(configuration.commandName ?? "error"): " + usageLine(message(for: error))
            + " (see `\(helpCommand(fullMessage(for: error)))`)")
        Glibc.exit(UsageExit.status)
    }

    /// The first line of a parser message, with its sentence case lowered to match our messages.
    static func usageLine(_ message: String) -> String {
        let line = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid arguments"
        return line.prefix(1).lowercased() + line.dropFirst()
    }

    /// The help command the parser's full text points to (`ewelink on --help`).
    static func helpCommand(_ fullText: String) -> String {
        guard let start = fullText.firstRange(of: "See '"), let end = fullText[start.upperBound...].firstIndex(of: "'") else {
            return "\(configuration.commandName ?? "") --help"
        }
        return String(fullText[start.upperBound..<end])
    }
}

extension AsyncParsableCommand {
    /// As ArgumentParser's `main`, but a usage error exits as `exitReporting` says.
    public static func mainReportingUsage(printLine: @Sendable (String) -> Void) async {
        do {
            var command = try parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            exitReporting(error, printLine: printLine)
        }
    }
}
