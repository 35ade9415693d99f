import EWeLinkCloud
import EWeLinkLAN
import Foundation

/// The home-and-room interfaces and the message center.
extension MockCloud {
    func familyJSON(_ me: Int) -> JSONObject {
        extra.withLock { s in
            let h = s.homesOf(me)
            let list: [JSONValue] = h.families.sorted { $0.index < $1.index }.map { f in
                ["id": .string(f.id), "apikey": .string(s.accounts[me].apikey), "name": .string(f.name),
                 "index": .int(f.index), "roomList": .array(f.rooms.sorted { $0.index < $1.index }.map(Self.roomJSON))]
            }
            return ["familyList": .array(list), "currentFamilyId": .string(h.current)]
        }
    }

    static func roomJSON(_ r: MockCloudStore.Room) -> JSONValue {
        ["id": .string(r.id), "name": .string(r.name), "index": .int(r.index)]
    }

    func familyList(_ c: MockCall) throws(MockRefusal) -> JSONObject { familyJSON(try c.me()) }

    func addFamily(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let name = try c.string("name")
        let sort = try c.int("sort")
        guard sort == 1 || sort == 2 else { throw MockRefusal(.parameterError, "sort must be 1 or 2") }
        let rawNames = c.params["roomNameList"] == nil ? [] : try c.array("roomNameList")
        let roomNames = rawNames.compactMap(\.stringValue).filter { !$0.isEmpty }
        guard roomNames.count == rawNames.count else { throw MockRefusal(.parameterError, "room names must be strings") }
        guard roomNames.count <= MockCloudStore.roomLimit else { throw MockRefusal(.homeOrRoomLimit, "room limit reached") }
        return try extra.withLock { s throws(MockRefusal) -> JSONObject in
            let h = s.homesOf(me)
            guard h.families.count < MockCloudStore.familyLimit else { throw MockRefusal(.homeOrRoomLimit, "home limit reached") }
            let indices = h.families.map(\.index)
            let index = sort == 1 ? indices.min()! - 1 : indices.max()! + 1
            let rooms = roomNames.enumerated().map { n, name in MockCloudStore.Room(id: s.newID("room"), name: name, index: n) }
            let f = MockCloudStore.Family(id: s.newID("fam"), name: name, index: index, rooms: rooms)
            s.updateHomes(me) { $0.families.append(f) }
            return ["id": .string(f.id), "name": .string(name), "index": .int(index),
                    "roomList": .array(rooms.map(Self.roomJSON))]
        }
    }

    func renameFamily(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let name = try c.string("name")
        let id = c.optionalString("id")
        try extra.withLock { s throws(MockRefusal) in
            let target = id ?? s.currentFamily(me)
            guard let n = s.homesOf(me).families.firstIndex(where: { $0.id == target }) else {
                throw MockRefusal(.resourceNotFound, "home not found")
            }
            s.updateHomes(me) { $0.families[n].name = name }
        }
        return [:]
    }

    func deleteFamily(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("id")
        let moveTo = try c.string("deviceFamily")
        let switchTo = try c.string("switchFamily")
        try extra.withLock { s throws(MockRefusal) in
            let h = s.homesOf(me)
            guard h.families.contains(where: { $0.id == id }) else { throw MockRefusal(.resourceNotFound, "home not found") }
            guard h.families.count > 1 else { throw MockRefusal(.lastHomeNotDeletable, "the only home cannot be deleted") }
            for other in [moveTo, switchTo] where other == id || !h.families.contains(where: { $0.id == other }) {
                throw MockRefusal(.parameterError, "deviceFamily and switchFamily must be other homes of the account")
            }
            // Things of the deleted home go to the other one, out of any room.
            let moved = s.listing(for: me, family: id, devices: devices)
            for ref in moved { s.setPlace(ref.id, for: me, .init(family: moveTo, room: nil)) }
            s.updateHomes(me) { h in
                h.families.removeAll { $0.id == id }
                h.order[moveTo] = (h.order[moveTo] ?? []) + moved.map(\.id)
                h.order[id] = nil
                h.current = switchTo
            }
        }
        return [:]
    }

    func switchFamily(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("id")
        try extra.withLock { s throws(MockRefusal) in
            guard s.homesOf(me).families.contains(where: { $0.id == id }) else { throw MockRefusal(.resourceNotFound, "home not found") }
            s.updateHomes(me) { $0.current = id }
        }
        return [:]
    }

    func addRoom(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let familyID = try c.string("familyid")
        let name = try c.string("name")
        let sort = try c.int("sort")
        guard sort == 1 || sort == 2 else { throw MockRefusal(.parameterError, "sort must be 1 or 2") }
        return try extra.withLock { s throws(MockRefusal) -> JSONObject in
            guard let n = s.homesOf(me).families.firstIndex(where: { $0.id == familyID }) else {
                throw MockRefusal(.resourceNotFound, "home not found")
            }
            let rooms = s.homesOf(me).families[n].rooms
            guard rooms.count < MockCloudStore.roomLimit else { throw MockRefusal(.homeOrRoomLimit, "room limit reached") }
            let indices = rooms.map(\.index)
            let index = sort == 1 ? (indices.min() ?? 1) - 1 : (indices.max() ?? -1) + 1
            let room = MockCloudStore.Room(id: s.newID("room"), name: name, index: index)
            s.updateHomes(me) { $0.families[n].rooms.append(room) }
            return Self.roomJSON(room).objectValue!
        }
    }

    func renameRoom(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("id")
        let name = try c.string("name")
        try extra.withLock { s throws(MockRefusal) in
            try s.updateRoom(id, of: me) { $0.name = name }
        }
        return [:]
    }

    func deleteRoom(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("id")
        try extra.withLock { s throws(MockRefusal) in
            guard let family = s.familyOfRoom(id, account: me) else { throw MockRefusal(.resourceNotFound, "room not found") }
            s.updateHomes(me) { h in
                if let n = h.families.firstIndex(where: { $0.id == family }) { h.families[n].rooms.removeAll { $0.id == id } }
            }
            for (key, p) in s.placement where p.room == id && key.hasPrefix("\(me):") { s.placement[key]?.room = nil }
        }
        return [:]
    }

    func sortRooms(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let list = try c.array("idList")
        let ids = list.compactMap(\.stringValue)
        let familyID = c.optionalString("familyid")
        try extra.withLock { s throws(MockRefusal) in
            let target = familyID ?? s.currentFamily(me)
            guard let n = s.homesOf(me).families.firstIndex(where: { $0.id == target }) else {
                throw MockRefusal(.resourceNotFound, "home not found")
            }
            let rooms = s.homesOf(me).families[n].rooms
            guard ids.count == list.count, ids.count == rooms.count, Set(ids) == Set(rooms.map(\.id)) else {
                throw MockRefusal(.parameterError, "idList must hold every room of the home once")
            }
            s.updateHomes(me) { h in
                for (k, room) in h.families[n].rooms.enumerated() { h.families[n].rooms[k].index = ids.firstIndex(of: room.id)! }
            }
        }
        return [:]
    }

    func sortThings(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let refs = try Self.thingRefs(c.array("thingList"))
        let familyID = c.optionalString("familyid")
        try extra.withLock { s throws(MockRefusal) in
            let target = familyID ?? s.currentFamily(me)
            guard s.homesOf(me).families.contains(where: { $0.id == target }) else { throw MockRefusal(.resourceNotFound, "home not found") }
            let present = Set(s.listing(for: me, family: target, devices: devices).map(\.id))
            guard Set(refs.map(\.id)) == present, refs.count == present.count else {
                throw MockRefusal(.parameterError, "thingList must hold every thing of the home once")
            }
            s.updateHomes(me) { $0.order[target] = refs.map(\.id) }
        }
        return [:]
    }

    func moveThings(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let roomID = try c.string("roomid")
        let old = try Self.thingRefs(c.array("oldThingList"))
        let new = try Self.thingRefs(c.array("newThingList"))
        try extra.withLock { s throws(MockRefusal) in
            guard let family = s.familyOfRoom(roomID, account: me) else { throw MockRefusal(.resourceNotFound, "room not found") }
            for ref in old where s.place(ref.id, for: me).room != roomID {
                throw MockRefusal(.parameterError, "\(ref.id) is not in the room")
            }
            let mine = Set(s.listing(for: me, family: family, devices: devices).map(\.id))
            for ref in new where !mine.contains(ref.id) { throw MockRefusal(.resourceNotFound, "\(ref.id) is not a thing of the home") }
            let newIDs = Set(new.map(\.id))
            for ref in old where !newIDs.contains(ref.id) { s.setPlace(ref.id, for: me, .init(family: family, room: nil)) }
            for ref in new { s.setPlace(ref.id, for: me, .init(family: family, room: roomID)) }
        }
        return [:]
    }

    func messages(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        return ["messageList": .array(try messageList(me, family: c.optionalString("familyid"), params: c))]
    }

    /// Messages of a home, newest first, before `from`, at most `num` (1…30).
    func messageList(_ me: Int, family: String?, params c: MockCall) throws(MockRefusal) -> [JSONValue] {
        let num = try c.int("num", default: 30)
        guard (1...30).contains(num) else { throw MockRefusal(.parameterError, "num must be 1 to 30") }
        let from = try c.int("from", default: Int(Date().timeIntervalSince1970 * 1000) + 1)
        return extra.withLock { s in
            let target = family ?? s.currentFamily(me)
            return (s.messages[me] ?? []).reversed()
                .filter { $0["familyid"]?.stringValue == target && ($0["date"]?.intValue ?? 0) < from }
                .prefix(num).map { m in
                    var o = m
                    o["familyid"] = nil
                    return .object(o)
                }
        }
    }

    static func thingRefs(_ list: [JSONValue]) throws(MockRefusal) -> [CloudThingRef] {
        try list.map { v throws(MockRefusal) in
            guard let t = v["itemType"]?.intValue.flatMap(CloudItemType.init(rawValue:)), let id = v["id"]?.stringValue else {
                throw MockRefusal(.parameterError, "each thing needs itemType (1, 2 or 3) and id")
            }
            return CloudThingRef(t, id)
        }
    }
}

extension MockCloudStore {
    mutating func updateRoom(_ id: String, of account: Int, _ change: (inout Room) -> Void) throws(MockRefusal) {
        guard let family = familyOfRoom(id, account: account) else { throw MockRefusal(.resourceNotFound, "room not found") }
        updateHomes(account) { h in
            guard let f = h.families.firstIndex(where: { $0.id == family }),
                  let r = h.families[f].rooms.firstIndex(where: { $0.id == id }) else { return }
            change(&h.families[f].rooms[r])
        }
    }
}
