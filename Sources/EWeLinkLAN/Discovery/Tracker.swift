#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The bookkeeping behind `LANDiscovery` (pure, so the rules are easy to test).
///
/// Trust rule: an announcement for a device with a key counts only when it is encrypted and
/// decrypts with that key; otherwise it is reported (`.rejected`) and nothing of it is adopted.
/// Every service announcing an id is a *source* with its own sequence guard, so a forged high
/// `seq` cannot make the real device's announcements look stale. When several sources claim one
/// id (possible only without a key), the device is described by its preferred source: the one
/// that answered one of our requests last, else the one at the address the store trusts, else the
/// first seen; the others are its `rivals` and are reported as `.contested`.
struct Tracker {
    struct Last {
        var seq: Int
        var iv: String?
        var data: String
        var acceptedAt: Date
        /// The revision came with an HTTP reply; its announcement adds nothing.
        var fromHTTP = false
    }

    let keys: LANDiscovery.KeyLookup
    let trustedAddress: LANDiscovery.AddressLookup
    /// Each device as its preferred source describes it (with the other sources as rivals).
    var devices: [String: DiscoveredDevice] = [:]
    /// Every source's own view: device id → instance name → device.
    var sources: [String: [String: DiscoveredDevice]] = [:]
    /// Device id → instance name of the preferred source.
    var preferred: [String: String] = [:]
    /// Device id → instance name of the source that answered one of our requests last.
    var answered: [String: String] = [:]
    /// The sequence guard, per source (`id|instance name`).
    var last: [String: Last] = [:]
    /// Interfaces on which each service (instance name) is currently present.
    var presence: [String: Set<Int32>] = [:]
    /// Instance name → device id (accepted announcements only).
    var names: [String: String] = [:]
    /// The latest rejected announcement per `id|instance name`.
    var rejected: [String: RejectedAnnouncement] = [:]
    var pending: Set<String> = []
    var cacheDone = false
    var completed = false
    var sawAny = false
    /// Complete at the end of the cache even when it was empty.
    var cacheOnly = false
    /// Looking for one device id: completion does not wait for the other services' resolves.
    var focus: String?

    /// Ids followed at once beyond which a new id without a key is ignored: a neighbour announcing
    /// endless made-up ids cannot grow this without bound (devices with a key always count).
    static let maxIDs = 1024

    init(keys: @escaping LANDiscovery.KeyLookup, trustedAddress: @escaping LANDiscovery.AddressLookup = { _ in nil }) {
        self.keys = keys
        self.trustedAddress = trustedAddress
    }

    static func isEWeLinkName(_ name: String) -> Bool { name.lowercased().hasPrefix("ewelink_") }

    mutating func handle(_ event: BrowseEvent, now: Date) -> [DiscoveryEvent] {
        var out: [DiscoveryEvent] = []
        switch event {
        case .found(let name, let iface):
            if Self.isEWeLinkName(name) {
                pending.insert("\(iface)|\(name)")
                sawAny = true
            }
        case .resolved(let service):
            pending.remove("\(service.interfaceIndex)|\(service.name)")
            if Self.isEWeLinkName(service.name) { out += accept(service, now: now) }
        case .resolveFailed(let name, _):
            pending = pending.filter { !$0.hasSuffix("|\(name)") }
        case .removed(let name, let iface):
            pending.remove("\(iface)|\(name)")
            out += remove(name, interface: iface)
        case .cacheExhausted:
            // A cold daemon cache is empty: then wait for ALL_FOR_NOW instead.
            if sawAny || cacheOnly { cacheDone = true }
        case .allForNow:
            cacheDone = true
        case .failed(let error):
            out.append(.failed(error))
        }
        let waitingFor = focus.map { id in pending.filter { $0.lowercased().hasSuffix("_" + id) } } ?? pending
        if cacheDone && waitingFor.isEmpty && !completed {
            completed = true
            out.append(.complete)
        }
        return out
    }

    /// A reply to one of our requests from `update.host:port`: that source answered (it becomes the
    /// preferred one), and a reply carrying state N makes its announcement of N redundant.
    mutating func ingest(_ update: LANUpdate, now: Date) -> [DiscoveryEvent] {
        let id = update.deviceID
        guard let name = sources[id]?.first(where: { $0.value.host == update.host && $0.value.port == update.port })?.key
        else { return [] }
        let switched = preferred[id] != name
        answered[id] = name
        preferred[id] = name
        // Only replies that carry the state are complete revisions; a bare ack waits for mDNS.
        guard let seq = update.seq, let state = update.state, var device = sources[id]?[name] else {
            return switched ? describe(id).map { [.changed($0)] } ?? [] : []
        }
        let key = "\(id)|\(name)"
        if let l = last[key], seq <= l.seq, !(seq <= 2 && l.seq > 2) {
            return switched ? describe(id).map { [.changed($0)] } ?? [] : []
        }
        device.seq = seq
        device.state = state
        device.stateError = nil
        device.lastSeen = now
        sources[id]?[name] = device
        last[key] = Last(seq: seq, iv: nil, data: "", acceptedAt: now, fromHTTP: true)
        return describe(id).map { [.changed($0)] } ?? []
    }

    mutating func accept(_ service: ResolvedService, now: Date) -> [DiscoveryEvent] {
        let ann: TXTAnnouncement
        do { ann = try TXTAnnouncement(records: service.txtRecords) } catch {
            return [.invalid(name: service.name, reason: error.description)]
        }
        let id = ann.deviceID
        let keyed = keys(id) != nil
        if !keyed, sources[id] == nil, sources.count >= Self.maxIDs { return [] }
        let source = AnnouncementSource(instanceName: service.name, host: service.address, port: Int(service.port),
                                        seq: ann.seq)
        var state: JSONObject? = nil
        var stateError: String? = nil
        if let key = keys(id) {
            guard ann.encrypted else {
                return reject(id, source, "a plain announcement for a device that has a devicekey", now: now)
            }
            do { state = try ann.state(devicekey: key) } catch {
                return reject(id, source, "its data does not decrypt with the stored devicekey", now: now)
            }
        } else if !ann.encrypted {
            do { state = try ann.state(devicekey: nil) } catch { stateError = error.description }
        }
        // Encrypted without a key: the state stays unknown (and the device cannot be controlled).
        names[service.name] = id
        presence[service.name, default: []].insert(service.interfaceIndex)
        rejected["\(id)|\(service.name)"] = nil
        let key = "\(id)|\(service.name)"
        let previous = sources[id]?[service.name]
        if let l = last[key] {
            let duplicate = l.seq == ann.seq && ((l.iv == ann.iv && l.data == ann.data) || l.fromHTTP)
            let reboot = ann.seq < l.seq && (ann.seq <= 2 || now.timeIntervalSince(l.acceptedAt) >= 10)
            let stale = ann.seq < l.seq && !reboot
            if duplicate || stale, var d = previous {
                // Nothing new from this source; a new address of it is still news.
                guard d.host != source.host || d.port != source.port else { return [] }
                d.host = source.host
                d.port = source.port
                d.lastSeen = now
                sources[id]?[service.name] = d
                return publish(id, from: service.name)
            }
        }
        let device = DiscoveredDevice(
            id: id, instanceName: service.name, type: ann.type, apiVersion: ann.apiVersion, host: source.host,
            port: source.port, seq: ann.seq, encrypted: ann.encrypted, iv: ann.iv, state: state,
            stateError: stateError, warnings: ann.warnings, lastSeen: now)
        sources[id, default: [:]][service.name] = device
        last[key] = Last(seq: ann.seq, iv: ann.iv, data: ann.data, acceptedAt: now)
        return publish(id, from: service.name)
    }

    /// Reports an announcement that failed the trust rule once per service and revision; nothing
    /// else changes.
    private mutating func reject(_ id: String, _ source: AnnouncementSource, _ reason: String,
                                 now: Date) -> [DiscoveryEvent] {
        let key = "\(id)|\(source.instanceName)"
        if let seen = rejected[key], seen.source == source, seen.reason == reason { return [] }
        let r = RejectedAnnouncement(deviceID: id, source: source, reason: reason, time: now)
        rejected[key] = r
        return [.rejected(r)]
    }

    /// The event for a source that changed: the device when it is (or became) the preferred one,
    /// else a contest.
    private mutating func publish(_ id: String, from name: String) -> [DiscoveryEvent] {
        let known = devices[id] != nil
        let chosen = choosePreferred(id, newcomer: name)
        guard let device = describe(id) else { return [] }
        if chosen != name, let rival = sources[id]?[name] { return [.contested(device, by: rival.source)] }
        return [known ? .changed(device) : .appeared(device)]
    }

    /// The preferred source: the one that answered last, else the one at the trusted address, else
    /// the current one, else the newcomer.
    private mutating func choosePreferred(_ id: String, newcomer: String?) -> String? {
        let present = sources[id] ?? [:]
        let trusted = trustedAddress(id)
        var chosen: String? = nil
        if let a = answered[id], present[a] != nil {
            chosen = a
        } else if let trusted, let t = present.first(where: { $0.value.source.address == trusted })?.key {
            chosen = t
        } else if let p = preferred[id], present[p] != nil {
            chosen = p
        } else if let newcomer, present[newcomer] != nil {
            chosen = newcomer
        } else {
            chosen = present.max { $0.value.lastSeen < $1.value.lastSeen }?.key
        }
        preferred[id] = chosen
        return chosen
    }

    /// The device as its preferred source says, with the other sources as rivals; stored in
    /// `devices`.
    private mutating func describe(_ id: String) -> DiscoveredDevice? {
        guard let name = preferred[id], var device = sources[id]?[name] else { return devices[id] }
        device.rivals = (sources[id] ?? [:]).filter { $0.key != name }.map(\.value.source)
            .sorted { $0.instanceName < $1.instanceName }
        devices[id] = device
        return device
    }

    /// A service withdrawn on one interface; gone from all, it no longer claims its id.
    private mutating func remove(_ name: String, interface iface: Int32) -> [DiscoveryEvent] {
        guard let id = names[name] else {
            // A rejected service that went away is forgotten (a neighbour cannot grow this forever).
            rejected = rejected.filter { $0.value.source.instanceName != name }
            return []
        }
        presence[name]?.remove(iface)
        guard presence[name]?.isEmpty == true else { return [] }
        presence[name] = nil
        names[name] = nil
        sources[id]?[name] = nil
        if answered[id] == name { answered[id] = nil }
        if sources[id]?.isEmpty ?? true {
            sources[id] = nil
            preferred[id] = nil
            if keys(id) == nil {
                // Gone, and nothing of ours: forgotten, so made-up ids do not pile up. (A device with
                // a key keeps its sequence guards against replays.)
                devices[id] = nil
                answered[id] = nil
                last = last.filter { !$0.key.hasPrefix(id + "|") }
            }
            return [.disappeared(id: id)]
        }
        let wasPreferred = preferred[id] == name
        if wasPreferred { preferred[id] = nil }
        _ = choosePreferred(id, newcomer: nil)
        return describe(id).map { [.changed($0)] } ?? []
    }
}
