import EWeLinkLAN

/// The store file as a whole: what `DeviceStore` reads, and writes back with only the devices
/// changed.
struct StoreDocument: Sendable {
    /// The format it was written in (`DeviceStore.formatVersion` for a new file).
    var version = DeviceStore.formatVersion
    /// Top-level members this version does not know, kept for the next write.
    var unknownFields: JSONObject = [:]
    var devices: [StoredDevice] = []
}
