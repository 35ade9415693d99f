import EWeLinkLAN
import Foundation

/// One simulated device as configured in a fleet file.
public struct DeviceConfig: Sendable, Equatable {
    public var id: String
    public var name: String
    public var type: DeviceType
    public var uiid: Int
    /// nil: a DIY device (plain TXT and envelopes).
    public var devicekey: String?
    /// The owner's apikey (what the cloud thing list reports).
    public var apikey: String
    /// TCP port on `host`; 0 picks a free one.
    public var port: Int
    /// The loopback address the device serves on (any of 127.0.0.0/8, so address scans have
    /// several hosts to find). Devices off 127.0.0.1 are not announced over mDNS: Avahi on `lo`
    /// would give their service 127.0.0.1.
    public var host: String = "127.0.0.1"
    public var fwVersion: String
    public var model: String
    public var channels: Int
    public var params: JSONObject
    /// A firmware update the mock cloud offers: `{"version","binList":[{"name","downloadUrl","digest"}]}`.
    public var otaAvailable: JSONObject?
    /// How often drifting readings (power, temperature) are re-announced. At least 1 s: an mDNS
    /// record is not multicast more than once a second, and faster TXT changes never leave Avahi.
    public var readingsIntervalMs: Int
}

/// A fleet file: `{"devices":[…]}` (the cloud side adds a `"cloud"` member).
public struct Fleet: Sendable {
    public var devices: [DeviceConfig]
    /// The accounts and app credentials of the mock cloud.
    public var cloud: CloudFleet?
    /// Members this version does not use.
    public var extra: JSONObject

    public init(devices: [DeviceConfig], cloud: CloudFleet? = nil, extra: JSONObject = [:]) {
        self.devices = devices
        self.cloud = cloud
        self.extra = extra
    }

    /// Reads and validates a fleet file.
    public static func load(path: String) throws(FleetError) -> Fleet {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw FleetError(file: path, device: nil, field: nil, reason: "cannot read: \(error.localizedDescription)")
        }
        return try parse(Array(data), file: path)
    }

    /// Validates a fleet document; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws(FleetError) -> Fleet {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch {
            throw FleetError(file: file, device: nil, field: nil, reason: "not JSON: \(error)")
        }
        guard var top = root.objectValue else {
            throw FleetError(file: file, device: nil, field: nil, reason: "must be a JSON object {\"devices\":[…]}")
        }
        guard let list = top["devices"]?.arrayValue else {
            throw FleetError(file: file, device: nil, field: "devices", reason: "must be an array of devices")
        }
        var devices: [DeviceConfig] = []
        var ids = Set<String>()
        var ports = Set<String>()
        for (index, item) in list.enumerated() {
            let device = try parseDevice(item, index: index, file: file)
            guard ids.insert(device.id).inserted else {
                throw FleetError(file: file, device: "#\(index) (\(device.id))", field: "id", reason: "duplicate id")
            }
            if device.port != 0 {
                guard ports.insert("\(device.host):\(device.port)").inserted else {
                    throw FleetError(file: file, device: "#\(index) (\(device.id))", field: "port",
                                     reason: "port \(device.port) on \(device.host) is used by another device")
                }
            }
            devices.append(device)
        }
        top["devices"] = nil
        var cloud: CloudFleet? = nil
        if let c = top["cloud"] {
            cloud = try CloudFleet.parse(c, file: file)
            top["cloud"] = nil
        }
        return Fleet(devices: devices, cloud: cloud, extra: top)
    }

    static func parseDevice(_ value: JSONValue, index: Int, file: String) throws(FleetError) -> DeviceConfig {
        guard let o = value.objectValue else {
            throw FleetError(file: file, device: "#\(index)", field: nil, reason: "must be a JSON object")
        }
        let rawID = o["id"]?.stringValue
        let label = "#\(index)" + (rawID.map { " (\($0))" } ?? "")
        func bad(_ field: String, _ reason: String) -> FleetError {
            FleetError(file: file, device: label, field: field, reason: reason)
        }
        guard let id = rawID else { throw bad("id", "required, a string such as \"1000abcdef\"") }
        guard !id.isEmpty, id.count <= 32, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw bad("id", "must be 1-32 ASCII letters or digits")
        }
        guard let typeName = o["type"]?.stringValue else { throw bad("type", "required") }
        guard let profile = DeviceProfile.all[DeviceType(rawValue: typeName)] else {
            let known = DeviceProfile.all.keys.map(\.rawValue).sorted().joined(separator: ", ")
            throw bad("type", "'\(typeName)' is not simulated (one of: \(known))")
        }
        guard let port = o["port"]?.intValue, (0...65535).contains(port) else {
            throw bad("port", "required, an integer 0...65535 (0 picks a free port)")
        }
        func string(_ key: String, default def: String) throws(FleetError) -> String {
            switch o[key] {
            case nil, .null?: return def
            case .string(let s)?: return s
            default: throw bad(key, "must be a string")
            }
        }
        func int(_ key: String, default def: Int, range: ClosedRange<Int>) throws(FleetError) -> Int {
            switch o[key] {
            case nil, .null?: return def
            case let v?:
                guard let i = v.intValue, range.contains(i) else { throw bad(key, "must be an integer in \(range)") }
                return i
            }
        }
        var devicekey: String? = nil
        switch o["devicekey"] {
        case nil, .null?: break
        case .string(let s)? where !s.isEmpty: devicekey = s
        default: throw bad("devicekey", "must be a non-empty string, or null for a DIY device")
        }
        let host = try string("host", default: "127.0.0.1")
        guard Self.isLoopback(host) else {
            throw bad("host", "must be an IPv4 address in 127.0.0.0/8 (the simulator serves on loopback only)")
        }
        let fwVersion = try string("fwVersion", default: "3.5.0")
        guard FirmwareVersion(fwVersion) != nil else { throw bad("fwVersion", "must look like 3.5.0") }
        var params = o["params"].flatMap(\.objectValue) ?? [:]
        if let p = o["params"], p != .null, p.objectValue == nil { throw bad("params", "must be an object") }
        let defaultChannels = params["switches"]?.arrayValue?.count ?? profile.defaultChannels
        let channels = try int("channels", default: defaultChannels, range: 1...4)
        var ota: JSONObject? = nil
        if let o = o["otaAvailable"], o != .null {
            guard let obj = o.objectValue, let v = obj["version"]?.stringValue, FirmwareVersion(v) != nil,
                  obj["binList"]?.arrayValue != nil else {
                throw bad("otaAvailable", "must be {\"version\":\"X.Y.Z\",\"binList\":[…]}")
            }
            ota = obj
        }
        var merged = profile.defaultParams(channels: channels)
        merged.merge(params)
        params = merged
        return DeviceConfig(
            id: id, name: try string("name", default: "\(typeName) \(id)"), type: profile.type,
            uiid: try int("uiid", default: profile.defaultUIID, range: 1...100_000), devicekey: devicekey,
            apikey: try string("apikey", default: UUID().uuidString.lowercased()), port: port, host: host, fwVersion: fwVersion,
            model: try string("model", default: profile.defaultModel), channels: channels, params: params,
            otaAvailable: ota,
            readingsIntervalMs: try int("readingsIntervalMs", default: 5000, range: 1000...3_600_000))
    }

    /// Whether `text` is a dotted-quad IPv4 address in 127.0.0.0/8.
    static func isLoopback(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { p in p.count <= 3 && !p.isEmpty && p.allSatisfy(\.isASCII) && UInt8(p) != nil }
    }
}
