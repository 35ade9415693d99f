import ArgumentParser
import EWeLink
import EWeLinkCloud
import EWeLinkHubClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

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

/// The CLI's advice for a control error: the library says what happened and what is missing, this
/// says which command or option supplies it.
func advice(for error: ControlError) -> String {
    HubFailure.Reason.of(error).map { advice(for: $0.reason, deviceID: $0.deviceID) } ?? ""
}

/// The CLI's advice for a cloud error (login, sync, api).
func advice(for error: CloudError) -> String {
    HubFailure.Reason.of(error).map { advice(for: $0, deviceID: nil) } ?? ""
}

/// The CLI's advice for a failed firmware update.
func advice(for error: OTAError) -> String {
    HubFailure.Reason.of(error).map { advice(for: $0.reason, deviceID: $0.deviceID) } ?? ""
}

/// The advice for each reason a failure can carry, here or in a hub's answer (`HubFailure`), so a
/// command prints the same with and without a hub. It follows the library's message at its end.
func advice(for reason: HubFailure.Reason, deviceID: String?) -> String {
    let id = deviceID ?? "ID"
    switch reason {
    case .unknownDevice:
        return ": see `ewelink devices` and `ewelink discover`"
    case .deviceKeyMissing:
        return "; run `ewelink sync` or `ewelink devices add \(id) --devicekey KEY` "
            + "(the key is shown at http://10.10.7.1/device in pairing mode)"
    case .deviceKeyNeeded:
        return " (ewelink devices add \(id) --devicekey KEY or ewelink sync)"
    case .deviceKeyWrong:
        return "; run `ewelink sync` or `ewelink devices add \(id) --devicekey KEY`"
    case .noAddress:
        return "; give one with `ewelink devices add \(id) --host IP[:PORT]`"
    case .addressUnproven:
        return " (README \"Trust\"; when you know the address is the device's, commands take --trust-address)"
    case .addressContested:
        return " (`ewelink discover` lists them; when you know the first is the device, commands take --trust-address)"
    case .cloudSessionNeeded, .notLoggedIn:
        return ": run `ewelink login`"
    case .endpointNeedsLAN:
        return ": use --via lan"
    case .sessionExpired:
        return " with `ewelink login`"
    case .missingAppCredentials:
        return ": set EWELINK_APP_ID and EWELINK_APP_SECRET (from dev.ewelink.cc), or appId/appSecret in $EWELINK_HOME/config.json"
    case .cloudAnswerTooLarge:
        return " (EWELINK_API_URL)"
    case .cloudConnectionSettings:
        return " (apiUrl and caFile: EWELINK_API_URL and EWELINK_CA_FILE, or config.json)"
    case .newerStoreFormat:
        return ": use an ewelink that knows its format"
    case .storeUnsafe:
        return " (EWELINK_HOME sets the store's folder)"
    case .notInCloud:
        return ": run `ewelink sync`"
    case .notFirmwareImage:
        return "; --force flashes it anyway"
    case .rangeNeedsForce:
        return ": pass --force to scan it anyway"
    }
}

/// Writes one line to standard error, control characters escaped (names, ids and reasons in
/// messages may come from the network or the store).
func printError(_ line: String) {
    writeAll(STDERR_FILENO, TerminalText.escaped(line) + "\n")
}

/// Writes one line to standard output at once (scripts read line by line). Every line goes
/// through here, so none can carry a control character: JSON lines are unchanged (the
/// serializer escapes them already), text lines show them escaped.
func printLine(_ line: String) {
    writeAll(STDOUT_FILENO, TerminalText.escaped(line) + "\n")
}

/// `text` written to `fd` with as many write(2) calls as it takes, unbuffered (as FileHandle
/// wrote it: a line is out before the process can be killed or exit).
private func writeAll(_ fd: Int32, _ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }
}
