import EWeLinkLAN

/// What one source says about one device: the input of `DeviceStore.upsert` (key sync,
/// `devices add`, `scan --add`) and of `DeviceDirectory.learn` (what a device's `info` reply
/// teaches along the way). Which of it replaces what the store holds is decided in one place,
/// `StoredDevice.merge`.
public struct DeviceFacts: Sendable, Equatable {
    /// Who says it: each source may overwrite different fields (see `StoredDevice.merge`).
    public enum Source: Sendable, Equatable {
        /// The account's thing list (key sync): keys, apikey, product, firmware, channels and
        /// online state are the cloud's to say; a name only where none is stored.
        case cloud
        /// The user (`devices add`): whatever they give replaces what is stored; the device's
        /// own answer (`checked`) fills in what they did not give.
        case user
        /// A scan of addresses (`scan --add`): the address it answered at, configured; its type
        /// and channels where none are stored.
        case scan
        /// The device's `info` reply at its stored address (`answer`): its firmware and state,
        /// its type and channels where none are stored, and with a key the proof of the address.
        case device
    }

    /// The device id.
    public var id: String
    /// Who says it.
    public var source: Source
    /// Its name (the user's replaces, the cloud's fills in).
    public var name: String?
    /// Its LAN key (nil: none given; a key given replaces the stored one).
    public var key: DeviceKey?
    /// The user asked to forget the stored key (a DIY device).
    public var removesKey = false
    /// Its owner's apikey.
    public var apikey: String?
    /// The cloud's product number.
    public var uiid: Int?
    /// The cloud's model name.
    public var model: String?
    /// Its firmware version.
    public var fwVersion: String?
    /// Its number of outlets.
    public var channels: Int?
    /// Its local type.
    public var type: DeviceType?
    /// Its LAN address (the user's or a scan's: configured; the device's: where it answered).
    public var host: String?
    /// The port at `host` (8081 when left out).
    public var port: Int?
    /// Its state: the cloud's is kept only for a device new to the store.
    public var state: JSONObject?
    /// What the cloud says of it being online.
    public var cloudOnline: Bool?
    /// The routes its commands may take.
    public var policy: RoutePolicy?
    /// The device's own `info` reply: for `.user`, the check of the address and key; for
    /// `.device`, what it said at `host`/`port`.
    public var answer: LearntDevice?

    /// Facts from `source` about device `id`; set the fields the source knows.
    public init(id: String, source: Source) {
        self.id = id
        self.source = source
    }
}
