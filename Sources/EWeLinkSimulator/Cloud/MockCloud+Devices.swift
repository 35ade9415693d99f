import EWeLinkCloud
import EWeLinkLAN
import Foundation

/// The device interfaces beyond list/status/OTA: home page, specified things, batch status, adding
/// (WiFi and GSM), name/room, deletion, tags and operating history.
extension MockCloud {
    /// The id a GSM device's QR code carries (`…/addGsm?id=`): derived from its device id.
    public func gsmID(of deviceID: String) -> String {
        String(Digest.hex(Digest.sha256(Array("gsm:\(deviceID)".utf8))).prefix(32))
    }

    func homepage(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        var out: JSONObject = [:]
        if c.params["getUser"] != nil { out["userInfo"] = .object(userJSON(me)) }
        if c.params["getFamily"] != nil { out["familyInfo"] = .object(familyJSON(me)) }
        if let get = c.params["getThing"] {
            guard get.objectValue != nil else { throw MockRefusal(.parameterError, "getThing must be an object") }
            let num = get["num"] == nil ? 30 : get["num"].flatMap { $0.isNumber ? $0.intValue : nil }
            let begin = get["beginIndex"] == nil ? Self.defaultBeginIndex
                : get["beginIndex"].flatMap { $0.isNumber ? $0.intValue : nil }
            guard let num, num >= 0, let begin else { throw MockRefusal(.parameterError, "num and beginIndex must be integers") }
            let all = Self.indexed(items(for: me, family: nil))
            out["thingInfo"] = ["thingList": .array(Self.page(all, from: begin, num: num)), "total": .int(all.count)]
        }
        if let get = c.params["getMessage"] {
            guard let o = get.objectValue else { throw MockRefusal(.parameterError, "getMessage must be an object") }
            let list = try messageList(me, family: nil, params: MockCall(params: o, account: me, region: c.region))
            out["messageInfo"] = ["messageList": .array(list)]
        }
        return out
    }

    func specifiedThings(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let list = try c.array("thingList")
        guard (1...10).contains(list.count) else { throw MockRefusal(.parameterError, "thingList must hold 1 to 10 things") }
        var out: [JSONValue] = []
        for entry in list {
            guard let type = entry["itemType"]?.intValue, let id = entry["id"]?.stringValue else {
                throw MockRefusal(.parameterError, "each thing needs itemType and id")
            }
            switch type {
            case 1, 2:
                guard let d = devices[id], extra.withLock({ $0.canSee(id, me) }) else { continue }
                out.append(item(d, viewer: me))
            case 3:
                if let g = extra.withLock({ s in s.groups[id].flatMap { $0.owner == me ? s.groupItem($0) : nil } }) {
                    out.append(g)
                }
            default:
                throw MockRefusal(.parameterError, "itemType must be 1, 2 or 3")
            }
        }
        return ["thingList": .array(Self.indexed(out))]
    }

    func batchStatus(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let list = try c.array("thingList")
        let timeout = try c.int("timeout", default: 0)
        guard (1...10).contains(list.count) else { throw MockRefusal(.parameterError, "thingList must hold 1 to 10 things") }
        guard (0...8000).contains(timeout) else { throw MockRefusal(.parameterError, "timeout must be 0 to 8000") }
        var plan: [(type: Int, id: String, targets: [SimulatedDevice], params: JSONObject)] = []
        for entry in list {
            guard let type = entry["type"]?.intValue, type == 1 || type == 2, let id = entry["id"]?.stringValue,
                  let params = entry["params"]?.objectValue, !params.isEmpty else {
                throw MockRefusal(.parameterError, "each thing needs type (1 or 2), id and params")
            }
            guard !plan.contains(where: { $0.id == id }) else { throw MockRefusal(.parameterError, "duplicate id \(id)") }
            if type == 1 {
                guard let d = accessible(id, account: me) else { throw MockRefusal(.resourceNotFound, "device not found") }
                plan.append((1, id, [d], params))
            } else {
                guard let members = extra.withLock({ s in s.groups[id].flatMap { $0.owner == me ? $0.members : nil } })
                else { throw MockRefusal(.resourceNotFound, "group not found") }
                plan.append((2, id, members.compactMap { devices[$0] }, params))
            }
        }
        var replies: [JSONValue] = []
        for step in plan {
            var error = 0
            for d in step.targets {
                guard d.snapshot.online, !d.snapshot.rebooting else {
                    if step.type == 1 && timeout > 0 { error = CloudErrorCode.deviceOffline.rawValue }
                    continue
                }
                if !d.applyFromCloud(step.params) { error = CloudErrorCode.deviceControlFailed.rawValue }
            }
            replies.append(["type": .int(step.type), "id": .string(step.id), "error": .int(error)])
        }
        return ["respList": .array(replies)]
    }

    func addDevice(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let name = try c.string("name")
        let id = try c.string("deviceid")
        let digest = try c.string("digest")
        _ = try c.string("chipid")
        guard id.count == 10, id.allSatisfy(\.isHexDigit) else { throw MockRefusal(.badDeviceIDFormat, "wrong deviceid format") }
        guard let d = devices[id] else { throw MockRefusal(.deviceNotFound, "device not found") }
        let expected = CloudClient.addDeviceDigest(deviceID: id, deviceApikey: d.config.devicekey ?? "")
        guard digest.lowercased() == expected else { throw MockRefusal(.digestError, "digest error") }
        if let s = c.params["settings"], s.objectValue == nil { throw MockRefusal(.parameterError, "settings must be an object") }
        try adopt(id, by: me, name: name, c)
        extra.withLock { s in
            if let settings = c.params["settings"]?.objectValue {
                var merged: JSONObject = ["opsNotify": 0, "opsHistory": 1, "alarmNotify": 1]
                merged.merge(settings)
                s.settings[id] = merged
            }
        }
        var out = item(d, viewer: me).objectValue ?? [:]
        out["index"] = 0
        return out
    }

    func addGSMDevice(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let gsm = try c.string("id")
        let name = try c.string("name")
        guard let d = devices.values.first(where: { gsmID(of: $0.id) == gsm }) else {
            throw MockRefusal(.resourceNotFound, "no GSM device with this id")
        }
        if let owner = extra.withLock({ $0.owner[d.id] }), owner != me {
            throw MockRefusal(.gsmDeviceTaken, "the GSM device was added by another user")
        }
        try adopt(d.id, by: me, name: name, c)
        var out = item(d, viewer: me).objectValue ?? [:]
        out["index"] = 0
        out["thingList"] = [.object(out)]
        return out
    }

    /// Makes `me` the owner of a device (taking it from a previous owner), named and placed as asked.
    private func adopt(_ id: String, by me: Int, name: String, _ c: MockCall) throws(MockRefusal) {
        let familyID = c.optionalString("familyid")
        let roomID = c.optionalString("roomid")
        try extra.withLock { s throws(MockRefusal) in
            let h = s.homesOf(me)
            let family = familyID ?? h.current
            guard let f = h.families.first(where: { $0.id == family }) else { throw MockRefusal(.resourceNotFound, "home not found") }
            if let roomID, !f.rooms.contains(where: { $0.id == roomID }) { throw MockRefusal(.resourceNotFound, "room not found") }
            if s.owner[id] != me { s.release(id) }
            s.owner[id] = me
            s.names[id] = name
            s.setPlace(id, for: me, .init(family: family, room: roomID))
            var order = s.homesOf(me).order[family] ?? []
            order.removeAll { $0 == id }
            if (c.params["sort"]?.intValue ?? 1) == 1 { order.insert(id, at: 0) } else { order.append(id) }
            s.updateHomes(me) { $0.order[family] = order }
        }
    }

    func updateDeviceInfo(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("deviceid")
        let name = c.params["name"]?.stringValue
        let room = c.params["roomid"]?.stringValue
        try extra.withLock { s throws(MockRefusal) in
            guard devices[id] != nil, s.canSee(id, me) else { throw MockRefusal(.resourceNotFound, "device not found") }
            if let name {
                guard s.owner[id] == me else { throw MockRefusal(.accessDenied, "only the owner renames a device") }
                guard !name.isEmpty else { throw MockRefusal(.parameterError, "name must not be empty") }
                s.names[id] = name
            }
            if let room {
                var p = s.place(id, for: me)
                if room.isEmpty {
                    p.room = nil
                } else {
                    guard let family = s.familyOfRoom(room, account: me) else { throw MockRefusal(.resourceNotFound, "room not found") }
                    p = .init(family: family, room: room)
                }
                s.setPlace(id, for: me, p)
            }
        }
        return [:]
    }

    func deleteDevice(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("deviceid")
        try extra.withLock { s throws(MockRefusal) in
            if s.owner[id] == me {
                s.release(id)
                s.names[id] = nil
                s.tags[id] = nil
            } else if s.accounts[me].shared.contains(id) {
                s.unshare(id, guest: me)
            } else {
                throw MockRefusal(.resourceNotFound, "device not found")
            }
        }
        return [:]
    }

    func setTags(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("deviceid")
        let tags = try c.object("tags")
        let type = c.optionalString("type") ?? "replace"
        guard type == "replace" || type == "merge" else { throw MockRefusal(.parameterError, "type must be replace or merge") }
        try extra.withLock { s throws(MockRefusal) in
            guard devices[id] != nil, s.canSee(id, me) else { throw MockRefusal(.resourceNotFound, "device not found") }
            guard s.owner[id] == me else { throw MockRefusal(.accessDenied, "only the owner changes tags") }
            if type == "merge" { s.tags[id, default: [:]].merge(tags) } else { s.tags[id] = tags }
        }
        return ["updatedThing": item(devices[id]!, viewer: me)]
    }

    func history(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("deviceid")
        let num = try c.int("num", default: 30)
        guard (1...30).contains(num) else { throw MockRefusal(.parameterError, "num must be 1 to 30") }
        let from = try c.int("from", default: Int(Date().timeIntervalSince1970 * 1000) + 1)
        guard accessible(id, account: me) != nil else { throw MockRefusal(.resourceNotFound, "device not found") }
        let list = extra.withLock { $0.histories[id] ?? [] }
        let page = list.reversed().filter { ($0["opsTime"]?.intValue ?? 0) < from }.prefix(num)
        return ["histories": .array(page.map(JSONValue.object))]
    }

    func clearHistory(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("deviceid")
        guard devices[id] != nil else { throw MockRefusal(.resourceNotFound, "device not found") }
        try extra.withLock { s throws(MockRefusal) in
            guard s.canSee(id, me) else { throw MockRefusal(.resourceNotFound, "device not found") }
            guard s.owner[id] == me else { throw MockRefusal(.accessDenied, "only the owner clears the history") }
            s.histories[id] = []
        }
        return [:]
    }

    /// The `beginIndex` the document gives as the default: before every item.
    static let defaultBeginIndex = -9_999_999

    /// The sequence number of the thing at `position` of a home's order. The real service's are
    /// negative and not contiguous (its own sample list has `"index": -236`), so a client that
    /// takes `beginIndex` for an offset gets nothing here, as it would there.
    static func sequenceNumber(position: Int) -> Int { -1000 + 7 * position }

    /// A home's items, in order, with their sequence numbers (the item's `index` and the
    /// device's `family.index` agree).
    static func indexed(_ items: [JSONValue]) -> [JSONValue] {
        items.enumerated().map { n, v in
            var o = v.objectValue ?? [:]
            let index = JSONValue.int(sequenceNumber(position: n))
            o["index"] = index
            if var data = o["itemData"]?.objectValue, var family = data["family"]?.objectValue {
                family["index"] = index
                data["family"] = .object(family)
                o["itemData"] = .object(data)
            }
            return .object(o)
        }
    }

    /// The page the document describes: items whose `index` is at least `begin`, `num` of them
    /// (0: all).
    static func page(_ indexed: [JSONValue], from begin: Int, num: Int) -> [JSONValue] {
        let rest = indexed.filter { ($0["index"]?.intValue ?? 0) >= begin }
        return num == 0 ? rest : Array(rest.prefix(num))
    }
}
