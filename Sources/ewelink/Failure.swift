import ArgumentParser
import Foundation

/// Exit codes shared by every subcommand.
enum ExitStatus {
    /// Bad input: unreadable base64, wrong key, malformed JSON or TXT.
    static let badInput: Int32 = 2
}

/// Prints one line to stderr and returns the exit code to throw.
func fail(_ message: String, code: Int32 = ExitStatus.badInput) -> ExitCode {
    printError("ewelink: \(message)")
    return ExitCode(code)
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
