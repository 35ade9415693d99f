import ArgumentParser
import EWeLink
import Foundation

/// Exit codes of every subcommand (also in `ewelink --help`).
enum ExitStatus {
    static let failure: Int32 = 1
    /// Bad input: unreadable base64, wrong key material, malformed JSON or TXT, bad channel.
    static let badInput: Int32 = 2
    /// No such device in the store or on the LAN.
    static let unknownDevice: Int32 = 3
    /// The device did not answer (refused, timed out, reset, no address).
    static let unreachable: Int32 = 4
    /// The device answered with an error code.
    static let deviceError: Int32 = 5
    /// No avahi-daemon or no D-Bus.
    static let mdnsUnavailable: Int32 = 6
    /// The device store is corrupt or cannot be written.
    static let store: Int32 = 7
    /// The devicekey is missing or wrong.
    static let key: Int32 = 8
    /// The cloud refused or could not be reached (login, sync).
    static let cloud: Int32 = 9

    static let help = """
        Exit status: 0 ok, 2 bad input, 3 unknown device, 4 device unreachable, 5 device answered an error, \
        6 no avahi-daemon/D-Bus, 7 device store problem, 8 devicekey missing or wrong, 9 cloud error, 1 other failures.
        """

    static func code(for error: ControlError) -> Int32 {
        switch error {
        case .unknownDevice: return unknownDevice
        case .invalidRequest: return badInput
        case .stateUnknown: return failure
        case .store: return store
        case .mdns: return mdnsUnavailable
        case .cloud: return unreachable
        case .lan(let e):
            switch e {
            case .lanRefused, .lanTimeout, .lanReset, .noAddress, .transport, .invalidReply, .replyTooLarge:
                return unreachable
            case .superseded: return failure
            case .invalidEndpoint: return badInput
            case .lanError: return deviceError
            case .deviceKeyMissing, .decryptionFailed, .keyRejected: return key
            }
        }
    }
}

/// Prints one line to stderr and returns the exit code to throw.
func fail(_ message: String, code: Int32 = ExitStatus.badInput) -> ExitCode {
    printError("ewelink: \(message)")
    return ExitCode(code)
}

/// Reports a control error about `device` and returns its exit code.
func fail(_ error: ControlError, device: String? = nil) -> ExitCode {
    let prefix = device.map { "\($0): " } ?? ""
    return fail(prefix + error.description, code: ExitStatus.code(for: error))
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
