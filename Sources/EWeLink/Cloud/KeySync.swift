import EWeLinkCloud
import EWeLinkLAN
import Foundation

/// Pulls the thing list once and keeps every device's keys in the local store, so LAN control
/// works offline afterwards.
public enum KeySync {
    public struct Report: Sendable {
        public var added: [String] = []
        public var updated: [String] = []
        /// Devices the cloud lists without a devicekey (DIY mode, or not shared with keys).
        public var withoutKey: [String] = []
        public var total: Int { added.count + updated.count }

        public var json: JSONObject {
            ["added": .array(added.map(JSONValue.string)), "updated": .array(updated.map(JSONValue.string)),
             "withoutKey": .array(withoutKey.map(JSONValue.string)), "total": .int(total)]
        }
    }

    public static func sync(client: CloudClient, store: DeviceStore) async throws -> Report {
        let things = try await client.things()
        return try store.update { list -> Report in
            var report = Report()
            for t in things {
                let key = (t.devicekey?.isEmpty ?? true) ? nil : t.devicekey
                if key == nil { report.withoutKey.append(t.deviceID) }
                if let i = list.firstIndex(where: { $0.id == t.deviceID }) {
                    var d = list[i]
                    d.devicekey = key ?? d.devicekey
                    d.apikey = t.apikey
                    d.uiid = t.uiid ?? d.uiid
                    d.model = t.model ?? d.model
                    d.fwVersion = t.fwVersion ?? d.fwVersion
                    d.channels = t.channels ?? d.channels
                    d.name = d.name ?? t.name
                    d.cloudOnline = t.online
                    if d != list[i] { report.updated.append(t.deviceID) }
                    list[i] = d
                } else {
                    var d = StoredDevice(id: t.deviceID, name: t.name, devicekey: key, apikey: t.apikey, uiid: t.uiid,
                                         model: t.model, fwVersion: t.fwVersion, channels: t.channels,
                                         lastState: t.params.isEmpty ? nil : t.params)
                    d.cloudOnline = t.online
                    list.append(d)
                    report.added.append(t.deviceID)
                }
            }
            return report
        }
    }
}
