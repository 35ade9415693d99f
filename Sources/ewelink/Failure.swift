import ArgumentParser
import EWeLink
import Foundation

/// Prints one line to stderr and returns the exit code to throw.
func fail(_ message: String, code: Int32 = ExitStatus.badInput) -> ExitCode {
    printError("ewelink: \(message)")
    return ExitCode(code)
}

/// Reports a control error about `device` and returns its exit code.
func fail(_ error: ControlError, device: String? = nil) -> ExitCode {
    let prefix = device.map { "\($0): " } ?? ""
    return fail(prefix + error.description + advice(for: error), code: ExitStatus.code(for: error))
}

/// The CLI's own advice where the remedy is one of its options (the library does not speak as the CLI).
func advice(for error: ControlError) -> String {
    switch error {
    case .lan(.addressUnproven):
        return " (README \"Trust\"; when you know the address is the device's, commands take --trust-address)"
    case .lan(.addressContested):
        return " (`ewelink discover` lists them; when you know the first is the device, commands take --trust-address)"
    default:
        return ""
    }
}

/// Writes one line to standard error, control characters escaped (names, ids and reasons in
/// messages may come from the network or the store).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((TerminalText.escaped(line) + "\n").utf8))
}

/// Writes one line to standard output at once (scripts read line by line). Every line goes
/// through here, so none can carry a control character: JSON lines are unchanged (the
/// serializer escapes them already), text lines show them escaped.
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((TerminalText.escaped(line) + "\n").utf8))
}
