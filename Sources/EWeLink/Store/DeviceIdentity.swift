import EWeLinkLAN

/// Who a stored device is and what opens it: its id, the name it is called by, its LAN key and
/// its owner's apikey.
public struct DeviceIdentity: Sendable, Equatable {
    /// The eWeLink device id (10 letters and digits, `1000abcdef`).
    public var id: String
    /// The name it is called by (from the cloud, or given with `devices add --name`).
    public var name: String?
    /// The LAN key (nil for DIY devices or when unknown); it never prints itself.
    public var key: DeviceKey?
    /// The owner's apikey (for cloud commands); only devices that came from a key sync have one.
    public var apikey: String?

    /// An identity; only `id` is required.
    public init(id: String, name: String? = nil, key: DeviceKey? = nil, apikey: String? = nil) {
        self.id = id
        self.name = name
        self.key = key
        self.apikey = apikey
    }
}
