import Foundation

/// A device seen on the LAN through mDNS, with its decoded announcement.
public struct DiscoveredDevice: Sendable, Equatable {
    public var id: String
    /// The mDNS instance name (`eWeLink_<id>`).
    public var instanceName: String
    public var type: DeviceType
    public var apiVersion: Int
    public var host: String
    public var port: Int
    public var seq: Int
    public var encrypted: Bool
    public var iv: String?
    /// The decoded state; nil when it is encrypted and no key is known, or could not be decoded.
    public var state: JSONObject?
    /// Why the state could not be decoded (wrong key, garbage), when it could not.
    public var stateError: String?
    public var warnings: [String]
    public var lastSeen: Date
}

/// What discovery reports.
public enum DiscoveryEvent: Sendable, Equatable {
    case appeared(DiscoveredDevice)
    /// A new state revision, a new address, or a reboot (seq back to 1).
    case changed(DiscoveredDevice)
    /// The device's service went away on every interface (devices cannot say they are offline:
    /// this is only a hint).
    case disappeared(id: String)
    /// Every service Avahi knew of has been resolved: a one-shot listing can stop here.
    case complete
    /// A service of the type that is not a usable eWeLink announcement (malformed TXT).
    case invalid(name: String, reason: String)
    /// The browse failed (daemon gone); nothing more follows.
    case failed(AvahiError)
}
