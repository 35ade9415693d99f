import EWeLinkCloud
import EWeLinkLAN
import Foundation

/// The sharing interfaces: share (silently), change the permission, cancel. The guest's thing list
/// and messages follow.
extension MockCloud {
    func share(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let list = try c.array("deviceidList")
        let ids = list.compactMap(\.stringValue)
        guard !ids.isEmpty, ids.count == list.count else { throw MockRefusal(.parameterError, "deviceidList must hold device ids") }
        let user = try c.object("user")
        let permit = try c.int("permit")
        guard (0...15).contains(permit) else { throw MockRefusal(.parameterError, "permit must be 0 to 15") }
        let comment = c.optionalString("comment")
        let shareType = try c.int("shareType", default: 1)
        guard shareType == 1 else { throw MockRefusal(.parameterError, "only silent sharing (shareType 1) is supported") }
        let phone = user["phoneNumber"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let email = user["email"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        guard phone != nil || email != nil else { throw MockRefusal(.parameterError, "user needs email or phoneNumber") }
        if phone != nil && user["countryCode"]?.stringValue == nil { throw MockRefusal(.parameterError, "countryCode required") }
        try extra.withLock { s throws(MockRefusal) in
            for id in ids {
                guard devices[id] != nil, s.canSee(id, me) else { throw MockRefusal(.resourceNotFound, "device \(id) not found") }
                guard s.owner[id] == me else { throw MockRefusal(.accessDenied, "only the owner shares a device") }
            }
            guard let guest = s.accountIndex(email: email, phone: phone) else {
                throw MockRefusal(.shareUserNotFound, "the user to share with does not exist")
            }
            guard guest != me else { throw MockRefusal(.parameterError, "cannot share with yourself") }
            let time = Int(Date().timeIntervalSince1970 * 1000)
            for id in ids {
                if !s.accounts[guest].shared.contains(id) { s.accounts[guest].shared.append(id) }
                s.shares["\(id):\(guest)"] = .init(permit: permit, comment: comment, time: time)
            }
            var message: JSONObject = ["deviceidList": .array(ids.map(JSONValue.string)),
                                       "apikey": .string(s.accounts[me].apikey), "permit": .int(permit)]
            if let e = s.accounts[me].email { message["email"] = .string(e) }
            if let comment { message["comment"] = .string(comment) }
            s.addMessage(to: guest, type: "shareNotify_v2", message)
        }
        return ["updatedThingList": .array(items(ids, viewer: me))]
    }

    func sharePermit(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("deviceid")
        let apikey = try c.string("apikey")
        let permit = try c.int("permit")
        guard (0...15).contains(permit) else { throw MockRefusal(.parameterError, "permit must be 0 to 15") }
        try extra.withLock { s throws(MockRefusal) in
            let guest = try s.shareOf(id, apikey: apikey, owner: me, devices: devices)
            s.shares["\(id):\(guest)"]!.permit = permit
        }
        // The document types this one as an array (the tags answer's as an object).
        return ["updatedThing": [item(devices[id]!, viewer: me)]]
    }

    func cancelShare(_ c: MockCall) throws(MockRefusal) -> JSONObject {
        let me = try c.me()
        let id = try c.string("deviceid")
        let apikey = try c.string("apikey")
        try extra.withLock { s throws(MockRefusal) in
            let guest = try s.shareOf(id, apikey: apikey, owner: me, devices: devices)
            s.unshare(id, guest: guest)
            s.addMessage(to: guest, type: "cancelShareNotify_v2",
                         ["deviceid": .string(id), "apikey": .string(s.accounts[me].apikey)])
        }
        // The document types this one as an array (the tags answer's as an object).
        return ["updatedThing": [item(devices[id]!, viewer: me)]]
    }
}

extension MockCloudStore {
    /// The guest a device of `owner` is shared with, by the guest's apikey.
    func shareOf(_ id: String, apikey: String, owner me: Int, devices: [String: SimulatedDevice]) throws(MockRefusal)
        -> Int {
        guard devices[id] != nil, canSee(id, me) else { throw MockRefusal(.resourceNotFound, "device not found") }
        guard owner[id] == me else { throw MockRefusal(.accessDenied, "only the owner changes a share") }
        guard let guest = accounts.firstIndex(where: { $0.apikey == apikey }), shares["\(id):\(guest)"] != nil else {
            throw MockRefusal(.resourceNotFound, "the device is not shared with this user")
        }
        return guest
    }
}
