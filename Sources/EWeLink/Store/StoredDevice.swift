import EWeLinkLAN
import Foundation

/// One device as the local store keeps it: what is needed to control it without the cloud.
public struct StoredDevice: Sendable, Equatable {
    public var id: String
    public var name: String?
    /// The LAN key (nil for DIY devices or when unknown).
    public var devicekey: String?
    /// The owner's apikey (for cloud commands).
    public var apikey: String?
    public var uiid: Int?
    public var type: DeviceType?
    public var model: String?
    public var fwVersion: String?
    public var channels: Int?
    /// Last known LAN address; a configured one (`devices add --host`) is never replaced by mDNS.
    public var host: String?
    public var port: Int?
    public var hostConfigured: Bool
    public var lastState: JSONObject?
    public var lastSeq: Int?
    public var lastSeen: Date?
    /// Which routes commands may take (`auto` by default).
    public var policy: RoutePolicy = .auto
    /// How the LAN has been answering lately (reply times, consecutive failures).
    public var lanHealth = LANHealth()
    /// What the cloud last said about the device being online (thing list or `sysmsg`).
    public var cloudOnline: Bool?
    /// `host`/`port` came from an announcement in this process and are not confirmed yet: the
    /// device has not answered there correctly (never stored; see `LANController.send`).
    public var addressUnconfirmed = false
    /// The device proved itself at `host`/`port`: with a key, its `info` reply there carried
    /// state encrypted with the key that names it (`ZeroconfClient.identityProblem`); without a
    /// key, it answered there. Until then no command is sent to the address (a device with a key)
    /// and nothing it says is learnt. Cleared when the address changes or the device stops
    /// answering there.
    public var addressVerified = false
    /// The other services that announced the id when `host`/`port` were taken from an
    /// announcement in this process (never stored): the candidates when that address fails to
    /// prove itself, and for a device without a key a sign that no address can be trusted.
    public var announcedRivals: [AnnouncementSource] = []
    /// Members of the record this version does not know (a newer version wrote them): kept as
    /// they are, so writing the store back loses nothing.
    public var unknownFields: JSONObject = [:]

    public init(id: String, name: String? = nil, devicekey: String? = nil, apikey: String? = nil, uiid: Int? = nil,
                type: DeviceType? = nil, model: String? = nil, fwVersion: String? = nil, channels: Int? = nil,
                host: String? = nil, port: Int? = nil, hostConfigured: Bool = false, lastState: JSONObject? = nil,
                lastSeq: Int? = nil, lastSeen: Date? = nil, addressVerified: Bool = false) {
        self.id = id
        self.name = name
        self.devicekey = devicekey
        self.apikey = apikey
        self.uiid = uiid
        self.type = type
        self.model = model
        self.fwVersion = fwVersion
        self.channels = channels
        self.host = host
        self.port = port
        self.hostConfigured = hostConfigured
        self.lastState = lastState
        self.lastSeq = lastSeq
        self.lastSeen = lastSeen
        self.addressVerified = addressVerified && host != nil
    }

    /// The display name, or the id.
    public var displayName: String { name ?? id }

    /// The form of eWeLink device ids: 10 ASCII letters and digits (`1000abcdef`).
    public static func isValidID(_ id: String) -> Bool {
        id.utf8.count == 10 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
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
    static let dateFormat: Date.ISO8601FormatStyle = .iso8601

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
        if let lastSeen { o["lastSeen"] = .string(lastSeen.formatted(Self.dateFormat)) }
        if policy != .auto { o["policy"] = .string(policy.rawValue) }
        if !lanHealth.isEmpty { o["lan"] = .object(lanHealth.json) }
        if let cloudOnline { o["cloudOnline"] = .bool(cloudOnline) }
        return o
    }

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
                  lastSeen: try str("lastSeen").flatMap { try? Date($0, strategy: Self.dateFormat) })
        self.policy = policy
        lanHealth = o["lan"]?.objectValue.map(LANHealth.init(json:)) ?? LANHealth()
        cloudOnline = o["cloudOnline"]?.boolValue
        addressVerified = host != nil && o["addressVerified"]?.boolValue == true
        unknownFields = JSONObject(o.entries.filter { !Self.knownFields.contains($0.key) }.map { ($0.key, $0.value) })
    }
}
