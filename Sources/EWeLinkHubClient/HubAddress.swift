import EWeLink
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
