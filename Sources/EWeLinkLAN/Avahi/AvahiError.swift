import CAvahi

/// Failures talking to the avahi-daemon.
public enum AvahiError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No avahi-daemon answers on the system D-Bus (or the bus itself is down).
    case daemonNotRunning
    /// Another service on the network already uses this name.
    case nameCollision(String)
    /// The named network interface does not exist.
    case unknownInterface(String)
    /// An Avahi call failed.
    case failure(operation: String, message: String)
    /// The daemon went away while we were using it.
    case disconnected

    /// One sentence: what failed in the avahi-daemon or D-Bus, and what to check.
    public var description: String {
        switch self {
        case .daemonNotRunning:
            return "no avahi-daemon answers on the system D-Bus: start one (scripts/setup in this project, "
                + "or `sudo systemctl start dbus avahi-daemon`)"
        case .nameCollision(let n): return "mDNS name collision: '\(n)' is already published on the network"
        case .unknownInterface(let n): return "network interface '\(n)' does not exist"
        case .failure(let op, let msg): return "avahi \(op) failed: \(msg)"
        case .disconnected: return "the avahi-daemon connection was lost"
        }
    }

    static func from(code: Int32, operation: String) -> AvahiError {
        if code == Int32(AVAHI_ERR_NO_DAEMON) || code == Int32(AVAHI_ERR_DISCONNECTED) { return .daemonNotRunning }
        let message = ewelink_avahi_strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return .failure(operation: operation, message: message)
    }
}
