import EWeLinkLAN
import Foundation

/// Where the hub (`ewelink serve`) listens, and what its answers look like on the wire: shared by
/// the hub and by the CLI that asks it first.
public enum HubAddress {
    /// The hub's Unix socket for this environment: `$EWELINK_HUB_SOCKET`; else `$EWELINK_HOME/hub.sock`
    /// when `EWELINK_HOME` is set (a store of its own has a hub of its own, so a test's or a second
    /// store's commands never reach the hub of the user's main store); else
    /// `$XDG_RUNTIME_DIR/ewelink.sock`; else `hub.sock` in the store's folder.
    public static func socketPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["EWELINK_HUB_SOCKET"], !path.isEmpty { return path }
        if let home = environment["EWELINK_HOME"], !home.isEmpty { return home + "/hub.sock" }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return runtime + "/ewelink.sock" }
        return DeviceStore.homeDirectory(environment: environment) + "/hub.sock"
    }

    /// The longest path a Unix socket address holds (`sun_path` less its terminating zero).
    public static let maxSocketPathBytes = 107
}

/// A refusal or failure as the hub answers it: `{"error": message, "exitCode": N}`, the message
/// and the exit status `ewelink --json` gives for the same failure.
public struct HubFailure: Sendable, Equatable, Error {
    public var message: String
    public var exitCode: Int32

    public init(message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }

    /// A control error about the device the caller named (`query`), worded as the CLI words it.
    public init(_ error: ControlError, device query: String?) {
        self.init(message: (query.map { "\($0): " } ?? "") + error.description, exitCode: ExitStatus.code(for: error))
    }

    public var json: JSONObject { ["error": .string(message), "exitCode": .int(Int(exitCode))] }

    public init?(json o: JSONObject) {
        guard let message = o["error"]?.stringValue, let code = o["exitCode"]?.intValue,
              let exitCode = Int32(exactly: code) else { return nil }
        self.init(message: message, exitCode: exitCode)
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
