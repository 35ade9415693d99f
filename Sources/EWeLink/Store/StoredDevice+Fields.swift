import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The records' fields by the names the store file gives them, for the code of this package
/// (the CLI, the hub, the simulator, the tests) that reads or sets one field at a time.
extension StoredDevice {
    package var name: String? { get { identity.name } set { identity.name = newValue } }
    package var key: DeviceKey? { get { identity.key } set { identity.key = newValue } }
    /// The key's text (what goes into a `LANTarget`); an empty text sets no key.
    package var devicekey: String? { get { identity.key?.secret } set { identity.key = newValue.flatMap(DeviceKey.init) } }
    package var apikey: String? { get { identity.apikey } set { identity.apikey = newValue } }
    package var uiid: Int? { get { shape.uiid } set { shape.uiid = newValue } }
    package var type: DeviceType? { get { shape.type } set { shape.type = newValue } }
    package var model: String? { get { shape.model } set { shape.model = newValue } }
    package var fwVersion: String? { get { shape.fwVersion } set { shape.fwVersion = newValue } }
    package var channels: Int? { get { shape.channels } set { shape.channels = newValue } }
    package var host: String? { get { address.host } set { address.host = newValue } }
    package var port: Int? { get { address.port } set { address.port = newValue } }
    package var hostConfigured: Bool { get { address.configured } set { address.configured = newValue } }
    package var addressVerified: Bool { get { address.verified } set { address.verified = newValue } }
    package var addressUnconfirmed: Bool { get { address.unconfirmed } set { address.unconfirmed = newValue } }
    package var announcedRivals: [AnnouncementSource] { get { address.rivals } set { address.rivals = newValue } }
    package var policy: RoutePolicy { get { health.policy } set { health.policy = newValue } }
    package var lanHealth: LANHealth { get { health.lan } set { health.lan = newValue } }
    package var cloudOnline: Bool? { get { health.cloudOnline } set { health.cloudOnline = newValue } }
    package var lastState: JSONObject? { get { health.lastState } set { health.lastState = newValue } }
    package var lastSeq: Int? { get { health.lastSeq } set { health.lastSeq = newValue } }
    package var lastSeen: Date? { get { health.lastSeen } set { health.lastSeen = newValue } }
}
