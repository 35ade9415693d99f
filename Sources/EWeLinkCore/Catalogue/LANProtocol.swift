/// Constants of the eWeLink LAN protocol (`lan-protocol.md` §1).
public enum LANProtocol {
    /// The port eWeLink firmware serves `/zeroconf/<endpoint>` on.
    public static let port = 8081
    /// The DNS-SD service type devices announce.
    public static let serviceType = "_ewelink._tcp"
    /// The path prefix of every LAN command.
    public static let pathPrefix = "/zeroconf/"
    /// The highest TXT `apivers` this implementation understands.
    public static let apiVersion = 1

    /// Fields an `info` reply adds to the device's state (network and firmware facts, not state).
    package static let infoOnlyFields: Set<String> = ["ssid", "bssid", "otaUnlock", "fwVersion", "deviceid", "signalStrength"]

    /// The path of one endpoint: `/zeroconf/switch`.
    public static func path(_ endpoint: String) -> String { pathPrefix + endpoint }
}
