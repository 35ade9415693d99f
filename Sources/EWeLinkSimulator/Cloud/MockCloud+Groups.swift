import EWeLinkCloud
import EWeLinkLAN
import Hummingbird

/// The group interfaces: list, add, rename, delete, status (saved, and sent to the member
/// devices that are online) and the member list.
extension MockCloud {
    func groupList(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let list = extra.withLock { s -> [JSONValue] in
            let current = s.currentFamily(me)
            return s.groups.values.sorted { $0.index < $1.index }
                .filter { $0.owner == me && s.place($0.id, for: me).family == current }
                .map { s.groupItem($0) }
        }
        return ["groupList": .array(list)]
    }

    func addGroup(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let name = try c.string("name")
        let main = try c.string("mainDeviceId")
        guard name.count <= 50 else { throw MockRefusal(.parameterError, "name is at most 50 characters") }
        let familyID = c.optionalString("familyid")
        let roomID = c.optionalString("roomid")
        let sort = try c.int("sort", default: 1)
        guard devices[main] != nil else { throw MockRefusal(.resourceNotFound, "device not found") }
        let item = try extra.withLock { s throws(MockRefusal) -> JSONValue in
            guard s.canSee(main, me) else { throw MockRefusal(.resourceNotFound, "device not found") }
            guard s.groups.values.filter({ $0.owner == me }).count < MockCloudStore.groupLimit else {
                throw MockRefusal(.groupLimit, "group limit reached")
            }
            let h = s.homesOf(me)
            let family = familyID ?? h.current
            guard let f = h.families.first(where: { $0.id == family }) else { throw MockRefusal(.resourceNotFound, "home not found") }
            if let roomID, !f.rooms.contains(where: { $0.id == roomID }) { throw MockRefusal(.resourceNotFound, "room not found") }
            let indices = s.groups.values.map(\.index)
            let index = sort == 2 ? (indices.max() ?? -1) + 1 : (indices.min() ?? 1) - 1
            let g = MockCloudStore.Group(id: s.newID("grp"), name: name, owner: me, main: main, members: [main],
                                         params: [:], index: index)
            s.groups[g.id] = g
            s.setPlace(g.id, for: me, .init(family: family, room: roomID))
            return s.groupItem(g)
        }
        var out = item.objectValue ?? [:]
        out["updatedThingList"] = .array(items([main], viewer: me))
        return out
    }

    func renameGroup(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("id")
        let name = try c.string("name")
        guard name.count <= 50 else { throw MockRefusal(.parameterError, "name is at most 50 characters") }
        try extra.withLock { s throws(MockRefusal) in
            guard s.groups[id]?.owner == me else { throw MockRefusal(.resourceNotFound, "group not found") }
            s.groups[id]!.name = name
        }
        return [:]
    }

    func deleteGroup(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("id")
        try extra.withLock { s throws(MockRefusal) in
            guard s.groups[id]?.owner == me else { throw MockRefusal(.resourceNotFound, "group not found") }
            s.groups[id] = nil
            s.placement["\(me):\(id)"] = nil
        }
        return [:]
    }

    /// `POST /v2/device/group/status`: "only saves data without processing": the group's saved
    /// status changes, no device is switched.
    func groupStatus(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        _ = try saveGroupStatus(c)
        return [:]
    }

    /// Saves params as the group's status; returns its members.
    private func saveGroupStatus(_ c: MockCall) throws(MockRefusal) -> [String] {
        let me = try c.me()
        let id = try c.string("id")
        let params = try c.object("params")
        guard !params.isEmpty else { throw MockRefusal(.parameterError, "params must not be empty") }
        return try extra.withLock { s throws(MockRefusal) -> [String] in
            guard s.groups[id]?.owner == me else { throw MockRefusal(.resourceNotFound, "group not found") }
            s.groups[id]!.params.merge(params)
            return s.groups[id]!.members
        }
    }

    /// `GET /v2/device/thing/status?type=2`: the group's saved status (all, or the named params).
    func readGroupStatus(_ id: String?, names: String?, account me: Int) -> Response {
        guard let id else { return Self.error(.parameterError, "type and id required") }
        guard let params = extra.withLock({ s in s.groups[id].flatMap { $0.owner == me ? $0.params : nil } }) else {
            return Self.error(.resourceNotFound, "group not found")
        }
        guard let names, !names.isEmpty else { return Self.ok(["params": .object(params)]) }
        let wanted = Set(names.split(separator: "|").map(String.init))
        return Self.ok(["params": .object(JSONObject(params.entries.filter { wanted.contains($0.key) }.map { ($0.key, $0.value) }))])
    }

    /// `POST /v2/device/thing/status` with `type` 2: saved, and sent to the members that are online.
    func setGroupStatus(_ body: [UInt8], account me: Int) -> Response {
        guard let o = try? JSONValue.parse(body).objectValue, let id = o["id"]?.stringValue, !id.isEmpty else {
            return Self.error(.parameterError, "type, id and params required")
        }
        do {
            // Unlike `group/status`, this sends the command to every member; offline ones are
            // skipped, as the real service ignores them for groups.
            let members = try saveGroupStatus(MockCall(params: o, account: me, region: ""))
            let params = o["params"]?.objectValue ?? [:]
            for d in members.compactMap({ devices[$0] }) where d.snapshot.online && !d.snapshot.rebooting {
                d.applyFromCloud(params)
            }
            return Self.ok([:])
        } catch {
            return Self.error(error.code, error.message)
        }
    }

    func groupDevices(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("id")
        let list = try c.array("deviceidList")
        let ids = list.compactMap(\.stringValue)
        guard ids.count == list.count else { throw MockRefusal(.parameterError, "deviceidList must hold strings") }
        let changed = try extra.withLock { s throws(MockRefusal) -> [String] in
            guard let g = s.groups[id], g.owner == me else { throw MockRefusal(.resourceNotFound, "group not found") }
            guard ids.contains(g.main) else { throw MockRefusal(.parameterError, "deviceidList must hold the main device") }
            for d in ids where devices[d] == nil || !s.canSee(d, me) { throw MockRefusal(.resourceNotFound, "device \(d) not found") }
            var unique: [String] = []
            for d in ids where !unique.contains(d) { unique.append(d) }
            let changed = Set(g.members).symmetricDifference(unique)
            s.groups[id]!.members = unique
            return changed.sorted()
        }
        return ["updatedThingList": .array(items(changed, viewer: me))]
    }
}
