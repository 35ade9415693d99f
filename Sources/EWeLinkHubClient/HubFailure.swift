import EWeLink
import EWeLinkCloud
import EWeLinkLAN

/// A refusal or failure as the hub answers it: `{"error": message, "exitCode": N}`, the message
/// and the exit status `ewelink --json` gives for the same failure, and, when a front end can help
/// with it, `"reason"` (what is missing or wrong, `Reason`) and `"device"` (the device's id).
///
/// The message is the library's: it says what happened, never what to type. A front end adds its
/// own advice by `reason` (the CLI's `Failure.swift`), so a command through the hub prints what
/// the same command prints without one.
public struct HubFailure: Sendable, Equatable, Error {
    /// What happened and what is missing (the library's words, or the hub's own).
    public var message: String
    /// The exit status `ewelink` gives for the same failure (`ExitStatus`).
    public var exitCode: Int32
    /// What a front end can advise on, when it can.
    public var reason: Reason?
    /// The id of the device the failure is about, when the advice needs it.
    public var deviceID: String?

    /// A failure the hub words itself.
    public init(message: String, exitCode: Int32, reason: Reason? = nil, deviceID: String? = nil) {
        self.message = message
        self.exitCode = exitCode
        self.reason = reason
        self.deviceID = deviceID
    }

    /// A control error about the device the caller named (`query`): the library's message, its exit
    /// status, and its reason when a front end has advice for it.
    public init(_ error: ControlError, device query: String?) {
        let why = Reason.of(error)
        self.init(message: (query.map { "\($0): " } ?? "") + error.description, exitCode: ExitStatus.code(for: error),
                  reason: why?.reason, deviceID: why?.deviceID)
    }

    /// The body of the hub's answer.
    public var json: JSONObject {
        var o: JSONObject = ["error": .string(message), "exitCode": .int(Int(exitCode))]
        if let reason { o["reason"] = .string(reason.rawValue) }
        if let deviceID { o["device"] = .string(deviceID) }
        return o
    }

    /// The failure of a hub's answer; an unknown `reason` (a newer hub's) is left out.
    public init?(json o: JSONObject) {
        guard let message = o["error"]?.stringValue, let code = o["exitCode"]?.intValue,
              let exitCode = Int32(exactly: code) else { return nil }
        self.init(message: message, exitCode: exitCode, reason: o["reason"]?.stringValue.flatMap(Reason.init(rawValue:)),
                  deviceID: o["device"]?.stringValue)
    }

    /// The HTTP status of each exit status: the body says the rest.
    public var httpStatus: Int {
        switch exitCode {
        case ExitStatus.badInput: return 400
        case ExitStatus.unknownDevice: return 404
        case ExitStatus.unreachable: return 504
        case ExitStatus.deviceError, ExitStatus.key: return 502
        case ExitStatus.mdnsUnavailable, ExitStatus.cloud: return 503
        default: return 500
        }
    }
}
