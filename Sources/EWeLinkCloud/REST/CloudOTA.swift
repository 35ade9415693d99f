import EWeLinkCore

/// A firmware update the cloud offers for a device (`/v2/device/ota/query`).
public struct OTAOffer: Sendable, Equatable {
    /// The device the offer is for.
    public var deviceID: String
    /// The firmware version offered.
    public var version: String
    /// `[{"name","downloadUrl","digest"}]`, passed on as is in the `upgrade` action.
    public var binList: [JSONValue]
}

extension CloudClient {
    /// Asks which devices have an update: `(deviceid, model, current version)`, at most 30 per call.
    public func otaQuery(_ devices: [(deviceID: String, model: String, version: String)]) async throws(CloudError) -> [OTAOffer] {
        guard (1...30).contains(devices.count) else {
            throw .invalidResponse(path: CloudAPI.otaQuery.path, reason: "1 to 30 devices per query")
        }
        let list: [JSONValue] = devices.map {
            ["deviceid": .string($0.deviceID), "model": .string($0.model), "version": .string($0.version)]
        }
        let data = try await call(.POST, CloudAPI.otaQuery.path, body: ["deviceInfoList": .array(list)], auth: .bearer)
        return (data["otaInfoList"]?.arrayValue ?? []).compactMap { o in
            guard let id = o["deviceid"]?.stringValue, let v = o["version"]?.stringValue else { return nil }
            return OTAOffer(deviceID: id, version: v, binList: o["binList"]?.arrayValue ?? [])
        }
    }
}
