import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One device as the local store keeps it: what is needed to control it without the cloud, in
/// four records with one job each: who it is and its key (`identity`), what kind of device it is
/// (`shape`), where it is (`address`), and how its routes are doing (`health`).
public struct StoredDevice: Sendable, Equatable {
    /// Id, name, LAN key and apikey.
    public var identity: DeviceIdentity
    /// Type, product, firmware and channels.
    public var shape: DeviceShape
    /// LAN address and how far it is trusted.
    public var address: DeviceAddress
    /// Policy, LAN health, the cloud's word, last state.
    public var health: RouteHealth
    /// Members of the record this version does not know (a newer version wrote them): kept as
    /// they are, so writing the store back loses nothing.
    package var unknownFields: JSONObject = [:]

    /// A device from its records.
    public init(identity: DeviceIdentity, shape: DeviceShape = DeviceShape(), address: DeviceAddress = DeviceAddress(),
                health: RouteHealth = RouteHealth()) {
        self.identity = identity
        self.shape = shape
        self.address = address
        self.health = health
    }

    /// A device from its fields, as the store file names them.
    package init(id: String, name: String? = nil, devicekey: String? = nil, apikey: String? = nil, uiid: Int? = nil,
                 type: DeviceType? = nil, model: String? = nil, fwVersion: String? = nil, channels: Int? = nil,
                 host: String? = nil, port: Int? = nil, hostConfigured: Bool = false, lastState: JSONObject? = nil,
                 lastSeq: Int? = nil, lastSeen: Date? = nil, addressVerified: Bool = false) {
        self.init(identity: DeviceIdentity(id: id, name: name, key: devicekey.flatMap(DeviceKey.init), apikey: apikey),
                  shape: DeviceShape(type: type, uiid: uiid, model: model, fwVersion: fwVersion, channels: channels),
                  address: DeviceAddress(host: host, port: port, configured: hostConfigured, verified: addressVerified),
                  health: RouteHealth(lastState: lastState, lastSeq: lastSeq, lastSeen: lastSeen))
    }

    /// The device id.
    public var id: String { identity.id }

    /// The display name, or the id.
    public var displayName: String { name ?? id }

    /// The form of eWeLink device ids: 10 ASCII letters and digits (`1000abcdef`).
    public static func isValidID(_ id: String) -> Bool {
        id.utf8.count == 10 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    /// Why `id` is not a device id (shown cut to 20 characters), or nil when it is one.
    package static func idProblem(_ id: String) -> String? {
        guard !isValidID(id) else { return nil }
        let shown = id.count > 20 ? String(id.prefix(20)) + "… (\(id.count) characters)" : id
        return "'\(shown)' is not an eWeLink device id (10 letters and digits, e.g. 1000abcdef)"
    }

    /// Whether the device's state carries outlets (`switches`).
    public var isMultiChannel: Bool {
        if let type, type.isMultiChannel { return true }
        if lastState?["switches"] != nil { return true }
        return (channels ?? 1) > 1
    }
}

extension StoredDevice {
    /// Takes what an announcement says: its address (unless one was configured by hand), its type
    /// when unknown, and its state when it could be read.
    mutating func adopt(_ found: DiscoveredDevice) {
        if !hostConfigured, host != found.host || port != found.port {
            host = found.host
            port = found.port
            addressUnconfirmed = true
            addressVerified = false
            announcedRivals = found.rivals
        }
        type = type ?? found.type
        lastState = found.state ?? lastState
    }
}

extension StoredDevice {

    /// The members this version reads and writes.
    static let knownFields: Set<String> = ["id", "name", "devicekey", "apikey", "uiid", "type", "model", "fwVersion",
                                           "channels", "host", "port", "hostConfigured", "lastState", "lastSeq",
                                           "lastSeen", "policy", "lan", "cloudOnline", "addressVerified"]

    /// The JSON form in the store file: the known members in a fixed order (so diffs of the file
    /// stay readable), then the unknown ones as they were read.
    var json: JSONObject {
        var o = knownJSON
        for (key, value) in unknownFields { o[key] = value }
        return o
    }

    /// The known members alone (listings show no member whose meaning this version cannot tell).
    var knownJSON: JSONObject {
        var o: JSONObject = ["id": .string(id)]
        if let name { o["name"] = .string(name) }
        if let devicekey { o["devicekey"] = .string(devicekey) }
        if let apikey { o["apikey"] = .string(apikey) }
        if let uiid { o["uiid"] = .int(uiid) }
        if let type { o["type"] = .string(type.rawValue) }
        if let model { o["model"] = .string(model) }
        if let fwVersion { o["fwVersion"] = .string(fwVersion) }
        if let channels { o["channels"] = .int(channels) }
        if let host { o["host"] = .string(host) }
        if let port { o["port"] = .int(port) }
        if hostConfigured { o["hostConfigured"] = true }
        if addressVerified { o["addressVerified"] = true }
        if let lastState { o["lastState"] = .object(lastState) }
        if let lastSeq { o["lastSeq"] = .int(lastSeq) }
        if let lastSeen { o["lastSeen"] = .string(StoreTimestamp.format(lastSeen)) }
        if policy != .auto { o["policy"] = .string(policy.rawValue) }
        if !lanHealth.isEmpty { o["lan"] = .object(lanHealth.json) }
        if let cloudOnline { o["cloudOnline"] = .bool(cloudOnline) }
        return o
    }

    /// A device from its record in the store file (or the hub's listing); a member of the wrong
    /// kind is `.invalidRecord`, members this version does not know are kept.
    public init(json o: JSONObject) throws(DeviceStoreError) {
        guard let id = o["id"]?.stringValue, !id.isEmpty else { throw .invalidRecord("a device has no 'id'") }
        func str(_ k: String) throws(DeviceStoreError) -> String? {
            switch o[k] {
            case nil, .null?: return nil
            case .string(let s)?: return s
            default: throw .invalidRecord("device \(id): '\(k)' is not a string")
            }
        }
        func int(_ k: String) throws(DeviceStoreError) -> Int? {
            switch o[k] {
            case nil, .null?: return nil
            case let v?:
                guard let i = v.intValue else { throw .invalidRecord("device \(id): '\(k)' is not an integer") }
                return i
            }
        }
        var lastState: JSONObject? = nil
        if let s = o["lastState"], s != .null {
            guard let obj = s.objectValue else { throw .invalidRecord("device \(id): 'lastState' is not an object") }
            lastState = obj
        }
        var policy = RoutePolicy.auto
        if let p = try str("policy") {
            guard let parsed = RoutePolicy(rawValue: p) else { throw .invalidRecord("device \(id): 'policy' must be auto, lan or cloud") }
            policy = parsed
        }
        self.init(id: id, name: try str("name"), devicekey: try str("devicekey"), apikey: try str("apikey"),
                  uiid: try int("uiid"), type: try str("type").map(DeviceType.init(rawValue:)), model: try str("model"),
                  fwVersion: try str("fwVersion"), channels: try int("channels"), host: try str("host"),
                  port: try int("port"), hostConfigured: o["hostConfigured"]?.boolValue ?? false,
                  lastState: lastState, lastSeq: try int("lastSeq"),
                  lastSeen: try str("lastSeen").flatMap(StoreTimestamp.parse))
        self.policy = policy
        lanHealth = o["lan"]?.objectValue.map(LANHealth.init(json:)) ?? LANHealth()
        cloudOnline = o["cloudOnline"]?.boolValue
        addressVerified = host != nil && o["addressVerified"]?.boolValue == true
        unknownFields = JSONObject(o.entries.filter { !Self.knownFields.contains($0.key) }.map { ($0.key, $0.value) })
    }
}
