import EWeLinkCloud
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Pulls the thing list once and keeps every device's keys in the local store, so LAN control
/// works offline afterwards.
///
/// A thing list shows one home (the current one by default), so every home of `GET /v2/family`
/// is read; a device listed in several homes is kept once. Own devices (item type 1), devices
/// shared by others (2) and devices of any other item type that carry a `deviceid` (shared into
/// a home) are kept; groups are skipped.
public enum KeySync {
    /// What one home contributed.
    public struct HomeReport: Sendable, Equatable {
        /// The home's id (nil for the thing list of an account without homes).
        public var id: String?
        /// The home's name, as the user gave it.
        public var name: String
        /// Devices listed in this home (before de-duplication across homes).
        public var devices: Int
        /// Of those, devices other accounts share with this one.
        public var shared: Int

        /// The report as `ewelink sync --json` prints it under `homes`.
        public var json: JSONObject {
            ["id": id.map(JSONValue.string) ?? .null, "name": .string(name), "devices": .int(devices),
             "shared": .int(shared)]
        }
    }

    /// What a sync changed in the store.
    public struct Report: Sendable {
        /// Ids of devices the store did not hold before.
        public var added: [String] = []
        /// Ids of stored devices whose key, apikey, name or shape changed.
        public var updated: [String] = []
        /// Devices the cloud lists without a devicekey (DIY mode, or not shared with keys).
        public var withoutKey: [String] = []
        /// What each home contributed, in the cloud's order.
        public var homes: [HomeReport] = []
        /// Devices synced (new, changed or unchanged).
        public var synced = 0
        /// Devices synced (new, changed or unchanged); the same as `synced`.
        public var total: Int { synced }

        /// The report as `ewelink sync --json` prints it.
        public var json: JSONObject {
            ["added": .array(added.map(JSONValue.string)), "updated": .array(updated.map(JSONValue.string)),
             "withoutKey": .array(withoutKey.map(JSONValue.string)), "total": .int(total),
             "homes": .array(homes.map { .object($0.json) })]
        }
    }

    /// Every device of every home, de-duplicated by id (the first listing wins), with what each
    /// home listed.
    public static func fetch(client: CloudClient) async throws(CloudError) -> (things: [CloudThing], homes: [HomeReport]) {
        var homes: [(id: String?, name: String)]
        do {
            let families = try await client.families()
            homes = families.families.map { ($0.id, $0.name) }
        } catch {
            // A server without homes: the default listing is all there is.
            guard case .api = error else { throw error }
            homes = []
        }
        if homes.isEmpty { homes = [(nil, "default")] }
        var things: [CloudThing] = []
        var seen = Set<String>()
        var reports: [HomeReport] = []
        for home in homes {
            let listed = try await client.items(familyID: home.id).compactMap { item -> CloudThing? in
                if case .device(let thing) = item { return thing }
                return nil
            }
            reports.append(HomeReport(id: home.id, name: home.name, devices: listed.count,
                                      shared: listed.filter(\.isShared).count))
            for thing in listed where seen.insert(thing.deviceID).inserted { things.append(thing) }
        }
        return (things, reports)
    }

    /// Reads every home's thing list from the cloud and stores each device's key, owner apikey, type,
    /// model, firmware, channels and name in one atomic write of `store`; what the store held besides is kept.
    public static func sync(client: CloudClient, store: DeviceStore) async throws -> Report {
        let (things, homes) = try await fetch(client: client)
        var report = Report()
        report.homes = homes
        report.synced = things.count
        var facts: [DeviceFacts] = []
        for t in things {
            var f = DeviceFacts(id: t.deviceID, source: .cloud)
            f.key = t.devicekey.flatMap(DeviceKey.init)
            if f.key == nil { report.withoutKey.append(t.deviceID) }
            f.apikey = t.apikey
            f.name = t.name
            f.uiid = t.uiid
            f.model = t.model
            f.fwVersion = t.fwVersion
            f.channels = t.channels
            f.state = t.params
            f.cloudOnline = t.online
            facts.append(f)
        }
        for (f, outcome) in zip(facts, try store.upsert(facts)) {
            switch outcome {
            case .added: report.added.append(f.id)
            case .updated: report.updated.append(f.id)
            case .unchanged: break
            }
        }
        return report
    }
}
