import EWeLinkCore

/// One entry of a device's operating history.
public struct CloudHistoryEntry: Sendable, Equatable {
    /// The device the entry is about.
    public var deviceID: String
    /// `app` or `device`.
    public var userAgent: String?
    /// The channels acted on (`switch` for a single-channel device).
    public var opsSwitchs: JSONValue?
    /// The original request.
    public var request: String
    /// The account that acted, when the cloud says.
    public var opsAccount: String?
    /// Milliseconds since 1970.
    public var opsTime: Int

    init?(_ v: JSONValue) {
        guard let id = v["deviceid"]?.stringValue else { return nil }
        deviceID = id
        userAgent = v["userAgent"]?.stringValue
        opsSwitchs = v["opsSwitchs"]
        request = v["request"]?.stringValue ?? ""
        opsAccount = v["opsAccount"]?.stringValue
        opsTime = v["opsTime"]?.intValue ?? 0
    }
}
