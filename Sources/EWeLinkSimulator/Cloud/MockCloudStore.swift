import EWeLinkCloud
import EWeLinkLAN
import Foundation

/// What the mock cloud keeps beyond tokens: the accounts (mutable copy of the fleet's), who owns
/// which device, homes and rooms, groups, shares, tags, histories, messages and verification codes.
/// Account indices never change: a closed account stays as a tombstone no one can log in to.
struct MockCloudStore {
    struct Room { var id: String; var name: String; var index: Int }
    struct Family { var id: String; var name: String; var index: Int; var rooms: [Room] }
    struct Homes { var families: [Family]; var current: String; var order: [String: [String]] = [:] }
    struct Group {
        var id: String, name: String, owner: Int, main: String, members: [String], params: JSONObject
        var index: Int
    }
    struct ShareInfo { var permit: Int; var comment: String?; var time: Int }
    struct Code { var code: String; var purpose: Int }
    /// Where a thing sits for one account.
    struct Placement { var family: String; var room: String? }

    var accounts: [CloudFleet.Account]
    var closed: Set<Int> = []
    /// deviceid → owning account.
    var owner: [String: Int] = [:]
    var profiles: [Int: JSONObject] = [:]
    var homes: [Int: Homes] = [:]
    /// "account:thingid" → placement; absent: own things in the first home, shared ones in the current.
    var placement: [String: Placement] = [:]
    var groups: [String: Group] = [:]
    /// "deviceid:account" → what the guest may do.
    var shares: [String: ShareInfo] = [:]
    var names: [String: String] = [:]
    var tags: [String: JSONObject] = [:]
    var settings: [String: JSONObject] = [:]
    var histories: [String: [JSONObject]] = [:]
    /// The last state seen of each device, to tell what a change changed.
    var lastParams: [String: JSONObject] = [:]
    var messages: [Int: [JSONObject]] = [:]
    var codes: [String: Code] = [:]
    var codeTimes: [String: [Date]] = [:]
    var lastCode: String?
    var nextID = 1

    static let roomLimit = 100
    static let familyLimit = 10
    static let groupLimit = 50
    static let historyLimit = 200

    init(fleet: CloudFleet, devices: [SimulatedDevice]) {
        accounts = fleet.accounts
        for d in devices {
            if let i = accounts.firstIndex(where: { $0.devices.contains(d.id) || $0.apikey == d.config.apikey }) {
                owner[d.id] = i
            }
        }
        for (i, a) in accounts.enumerated() {
            for id in a.shared { shares["\(id):\(i)"] = ShareInfo(permit: SharePermit.allTimers.rawValue, comment: nil, time: 0) }
        }
    }

    mutating func newID(_ prefix: String) -> String {
        defer { nextID += 1 }
        return "\(prefix)\(String(format: "%06d", nextID))"
    }

    /// The account an email or phone number belongs to (the phone number checked first).
    func accountIndex(email: String?, phone: String?) -> Int? {
        if let phone { return accounts.firstIndex { $0.phoneNumber == phone } }
        guard let email = email?.lowercased() else { return nil }
        return accounts.firstIndex { $0.email == email }
    }

    // MARK: Homes

    /// The account's homes, made on first use (one home with three rooms, as a new app account).
    /// The homes the fleet gives an account are made the same way, their devices placed in them.
    mutating func homesOf(_ account: Int) -> Homes {
        if let h = homes[account] { return h }
        let configured = accounts[account].homes
        let names = configured.isEmpty ? ["My Home"] : configured.map(\.name)
        // Home indexes can be negative too.
        let families = names.enumerated().map { n, name in
            Family(id: newID("fam"), name: name, index: n - 1, rooms: ["Living Room", "Bedroom", "Kitchen"].enumerated().map {
                Room(id: newID("room"), name: $1, index: $0)
            })
        }
        let h = Homes(families: families, current: families[0].id)
        homes[account] = h
        for (home, family) in zip(configured, families) {
            for id in home.devices { setPlace(id, for: account, Placement(family: family.id, room: nil)) }
        }
        return h
    }

    mutating func currentFamily(_ account: Int) -> String { homesOf(account).current }

    /// The home and room a thing has for an account.
    mutating func place(_ id: String, for account: Int) -> Placement {
        if let p = placement["\(account):\(id)"] { return p }
        let h = homesOf(account)
        let own = owner[id] == account || groups[id]?.owner == account
        return Placement(family: own ? h.families[0].id : h.current, room: nil)
    }

    mutating func setPlace(_ id: String, for account: Int, _ p: Placement) { placement["\(account):\(id)"] = p }

    /// The family holding a room of the account's homes.
    mutating func familyOfRoom(_ roomID: String, account: Int) -> String? {
        homesOf(account).families.first { $0.rooms.contains { $0.id == roomID } }?.id
    }

    mutating func updateHomes(_ account: Int, _ change: (inout Homes) -> Void) {
        var h = homesOf(account)
        change(&h)
        homes[account] = h
    }

    // MARK: Things

    /// The things of an account in a home, in the home's order: own devices, shared devices, groups.
    mutating func listing(for account: Int, family: String?, devices: [String: SimulatedDevice]) -> [CloudThingRef] {
        let familyID = family ?? currentFamily(account)
        var refs: [CloudThingRef] = []
        for id in devices.keys.sorted() where owner[id] == account { refs.append(CloudThingRef(.ownDevice, id)) }
        for id in accounts[account].shared where devices[id] != nil { refs.append(CloudThingRef(.sharedDevice, id)) }
        for g in groups.values.sorted(by: { $0.index < $1.index }) where g.owner == account {
            refs.append(CloudThingRef(.group, g.id))
        }
        refs = refs.filter { place($0.id, for: account).family == familyID }
        let order = homesOf(account).order[familyID] ?? []
        let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return refs.enumerated().sorted { a, b in
            (position[a.element.id] ?? order.count + a.offset) < (position[b.element.id] ?? order.count + b.offset)
        }.map(\.element)
    }

    /// Whether the account may see the device: owner or guest.
    func canSee(_ id: String, _ account: Int) -> Bool {
        owner[id] == account || accounts[account].shared.contains(id)
    }

    /// Fields the mock adds to a device item for a viewer: name, tags, home, shares, groups, settings.
    mutating func decoration(_ id: String, viewer: Int) -> JSONObject {
        var o: JSONObject = [:]
        if let name = names[id] { o["name"] = .string(name) }
        o["tags"] = .object(tags[id] ?? [:])
        o["settings"] = .object(settings[id] ?? ["opsNotify": 0, "opsHistory": 1, "alarmNotify": 1])
        let p = place(id, for: viewer)
        var family: JSONObject = ["familyid": .string(p.family), "index": .int(thingIndex(id, viewer, p.family))]
        if let room = p.room { family["roomid"] = .string(room) }
        o["family"] = .object(family)
        let inGroups = groups.values.filter { $0.members.contains(id) }.sorted { $0.index < $1.index }
        o["devGroups"] = .array(inGroups.map { ["type": 1, "groupId": .string($0.id)] })
        if owner[id] == viewer {
            o["shareTo"] = .array(accounts.indices.compactMap { guest -> JSONValue? in
                guard let info = shares["\(id):\(guest)"] else { return nil }
                return .object(shareEntry(guest, info))
            })
        } else if let info = shares["\(id):\(viewer)"], let ownerIndex = owner[id] {
            var by = shareEntry(ownerIndex, info)
            by["apikey"] = .string(accounts[ownerIndex].apikey)
            o["sharedBy"] = .object(by)
        }
        return o
    }

    func shareEntry(_ account: Int, _ info: ShareInfo) -> JSONObject {
        let a = accounts[account]
        var o: JSONObject = ["apikey": .string(a.apikey), "permit": .int(info.permit), "shareTime": .int(info.time)]
        if let e = a.email { o["email"] = .string(e) }
        if let p = a.phoneNumber { o["phoneNumber"] = .string(p) }
        if !a.nickname.isEmpty { o["nickname"] = .string(a.nickname) }
        if let c = info.comment { o["comment"] = .string(c) }
        return o
    }

    mutating func thingIndex(_ id: String, _ account: Int, _ family: String) -> Int {
        homesOf(account).order[family]?.firstIndex(of: id) ?? 0
    }

    /// A group item (`itemType` 3) as the viewer's home sees it.
    mutating func groupItem(_ g: Group) -> JSONValue {
        let p = place(g.id, for: g.owner)
        var family: JSONObject = ["familyid": .string(p.family), "index": .int(thingIndex(g.id, g.owner, p.family))]
        if let room = p.room { family["roomid"] = .string(room) }
        return ["itemType": 3, "itemData": ["id": .string(g.id), "name": .string(g.name),
                                            "mainDeviceId": .string(g.main), "family": .object(family),
                                            "params": .object(g.params)],
                "index": .int(g.index)]
    }

    // MARK: Sharing and ownership

    /// Ends one share: the guest loses the device and the groups built on it.
    mutating func unshare(_ id: String, guest: Int) {
        shares["\(id):\(guest)"] = nil
        accounts[guest].shared.removeAll { $0 == id }
        placement["\(guest):\(id)"] = nil
        dropFromGroups(id, of: guest)
    }

    /// Removes a device from the account's groups; groups whose main device it was go.
    mutating func dropFromGroups(_ id: String, of account: Int) {
        for (gid, g) in groups where g.owner == account {
            if g.main == id { groups[gid] = nil } else { groups[gid]?.members.removeAll { $0 == id } }
        }
    }

    /// The owner lets go of a device: shares end, groups lose it.
    mutating func release(_ id: String) {
        guard let previous = owner[id] else { return }
        for guest in accounts.indices where accounts[guest].shared.contains(id) { unshare(id, guest: guest) }
        dropFromGroups(id, of: previous)
        placement["\(previous):\(id)"] = nil
        owner[id] = nil
    }

    mutating func addMessage(to account: Int, type: String, _ message: JSONObject) {
        let family = currentFamily(account)
        let date = Int(Date().timeIntervalSince1970 * 1000)
        messages[account, default: []].append(["msgid": .string(newID("msg")), "msgType": .string(type),
                                               "message": .object(message), "date": .int(date),
                                               "familyid": .string(family)])
    }
}
