import EWeLinkCloud
import EWeLinkLAN
import Foundation
import Hummingbird

extension MockCloud {
    /// The interfaces `MockCloud.swift` serves itself; every other one of `CloudAPI` is served here.
    static let coreAPIs: Set<CloudAPI> = [.login, .refresh, .thingList, .getStatus, .setStatus, .otaQuery]

    /// Routes every other interface of the table.
    func registerStoreRoutes(_ router: Router<MockCloudContext>) {
        for api in CloudAPI.allCases where !Self.coreAPIs.contains(api) {
            add(router, api, auth: api.auth == .sign ? .sign : .bearer, interface: api.path,
                appIDAlways: api.path.hasPrefix("/v2/user/")) { try await self.serve(api, $0, $1) }
        }
    }

    /// Starts the operating histories (once, whatever the number of listeners).
    func observeForStore() {
        for device in devices.values {
            extra.withLock { $0.lastParams[device.id] = device.snapshot.params }
            device.observe { [weak self] change in self?.record(device, change) }
        }
    }

    /// Each interface is served under each region's prefix, and without one (any region).
    static let prefixes = ["/{region}", ""]

    /// Where an interface is served under a prefix.
    static func route(_ api: CloudAPI, _ prefix: String = "/{region}") -> RouterPath { RouterPath(prefix + api.path) }

    private func serve(_ api: CloudAPI, _ request: Request, _ context: MockCloudContext) async throws -> Response {
        let body = context.body
        var params: JSONObject = [:]
        let fromBody = request.method == .post || request.method == .put
        if fromBody {
            guard let o = (body.isEmpty ? .object([:]) : try? JSONValue.parse(body))?.objectValue else {
                return Self.error(.parameterError, "body must be a JSON object")
            }
            params = o
        } else {
            for (k, v) in request.uri.queryParameters { params[String(k)] = .string(String(v)) }
        }
        var call = MockCall(params: params, account: api.auth == .bearer ? context.account : nil,
                            region: context.parameters.get("region") ?? "")
        call.typedBody = fromBody
        do {
            return Self.ok(try handle(api, call))
        } catch {
            return Self.json(["error": .int(error.code.rawValue), "msg": .string(error.message), "data": .object(error.data)])
        }
    }

    private func handle(_ api: CloudAPI, _ c: MockCall) throws(MockRefusal) -> JSONObject {
        switch api {
        case .getRegion: return try getRegion(c)
        case .register: return try register(c)
        case .smsLogin: return try smsLogin(c)
        case .verificationCode: return try sendCode(c)
        case .resetPassword: return try resetPassword(c)
        case .changePassword: return try changePassword(c)
        case .getProfile: return try profile(c)
        case .updateProfile: return try updateProfile(c)
        case .logout: return try logout(c)
        case .closeAccount: return try closeAccount(c)
        case .homepage: return try homepage(c)
        case .specifiedThings: return try specifiedThings(c)
        case .batchStatus: return try batchStatus(c)
        case .addDevice: return try addDevice(c)
        case .addGSMDevice: return try addGSMDevice(c)
        case .updateDeviceInfo: return try updateDeviceInfo(c)
        case .deleteDevice: return try deleteDevice(c)
        case .deviceTags: return try setTags(c)
        case .getHistory: return try history(c)
        case .clearHistory: return try clearHistory(c)
        case .groupList: return try groupList(c)
        case .addGroup: return try addGroup(c)
        case .renameGroup: return try renameGroup(c)
        case .deleteGroup: return try deleteGroup(c)
        case .groupStatus: return try groupStatus(c)
        case .groupDevices: return try groupDevices(c)
        case .share: return try share(c)
        case .sharePermit: return try sharePermit(c)
        case .cancelShare: return try cancelShare(c)
        case .familyList: return try familyList(c)
        case .addFamily: return try addFamily(c)
        case .renameFamily: return try renameFamily(c)
        case .deleteFamily: return try deleteFamily(c)
        case .addRoom: return try addRoom(c)
        case .renameRoom: return try renameRoom(c)
        case .deleteRoom: return try deleteRoom(c)
        case .sortRooms: return try sortRooms(c)
        case .sortThings: return try sortThings(c)
        case .moveThings: return try moveThings(c)
        case .switchFamily: return try switchFamily(c)
        case .messages: return try messages(c)
        case .login, .refresh, .thingList, .getStatus, .setStatus, .otaQuery:
            throw MockRefusal(.apiNotFound, "api not found")
        }
    }

    // MARK: Shared pieces

    /// The accounts as they are now (registered ones included, closed ones without email or phone).
    var accounts: [CloudFleet.Account] { extra.withLock { $0.accounts } }

    /// The thing list of an account in a home (nil: the current one), in order, without `index`.
    func items(for account: Int, family: String?) -> [JSONValue] {
        let refs = extra.withLock { $0.listing(for: account, family: family, devices: devices) }
        return refs.compactMap { ref in
            if ref.type == .group { return extra.withLock { s in s.groups[ref.id].map { s.groupItem($0) } } }
            return devices[ref.id].map { item($0, viewer: account) }
        }
    }

    /// A device as one account's thing list shows it.
    func item(_ d: SimulatedDevice, viewer: Int) -> JSONValue {
        let (own, ownerAccount, decoration) = extra.withLock { s in
            (s.owner[d.id] == viewer, s.owner[d.id].map { s.accounts[$0] }, s.decoration(d.id, viewer: viewer))
        }
        var v = thing(d, itemType: own ? 1 : 2, owner: own ? nil : ownerAccount)
        var data = v["itemData"]?.objectValue ?? [:]
        data.merge(decoration)
        v["itemData"] = .object(data)
        return v
    }

    /// Items of the given devices for a viewer (the `updatedThingList` of many answers).
    func items(_ ids: [String], viewer: Int) -> [JSONValue] {
        ids.compactMap { devices[$0].map { item($0, viewer: viewer) } }
    }

    /// Ends every token of an account.
    func revokeTokens(of account: Int) {
        state.withLock { s in
            s.tokens = s.tokens.filter { $0.value.account != account }
            s.refreshTokens = s.refreshTokens.filter { $0.value != account }
        }
    }

    /// Notes a device's state change in its history (and the owner's messages when asked for).
    func record(_ d: SimulatedDevice, _ change: DeviceChange) {
        guard case .state(_, let params, let source) = change, source == .lan || source == .cloud || source == .button
        else {
            if case .state(_, let params, _) = change { extra.withLock { $0.lastParams[d.id] = params } }
            return
        }
        extra.withLock { s in
            let before = s.lastParams[d.id] ?? [:]
            s.lastParams[d.id] = params
            var changed = JSONObject(params.entries.filter { before[$0.key] != $0.value }.map { ($0.key, $0.value) })
            var switches: [JSONValue] = changed["switch"] == nil ? [] : ["switch"]
            if let now = params["switches"]?.arrayValue {
                let old = before["switches"]?.arrayValue ?? []
                let outlets = now.filter { !old.contains($0) }
                switches += outlets.compactMap { $0["outlet"]?.intValue }.map { .string("switch_\($0)") }
                changed["switches"] = outlets.isEmpty ? nil : .array(outlets)
            }
            let settings = s.settings[d.id] ?? [:]
            let time = Int(Date().timeIntervalSince1970 * 1000)
            if settings["opsHistory"]?.intValue ?? 1 == 1 {
                let entry: JSONObject = ["deviceid": .string(d.id), "userAgent": .string(source == .button ? "device" : "app"),
                                         "opsSwitchs": .array(switches),
                                         "request": .string(JSONValue.object(changed.isEmpty ? params : changed).serialized),
                                         "opsTime": .int(time)]
                s.histories[d.id, default: []].append(entry)
                if s.histories[d.id]!.count > MockCloudStore.historyLimit { s.histories[d.id]!.removeFirst() }
            }
            if settings["opsNotify"]?.intValue == 1, let owner = s.owner[d.id] {
                s.addMessage(to: owner, type: "opsNotify_v2", ["deviceid": .string(d.id), "params": .object(changed)])
            }
        }
    }
}
