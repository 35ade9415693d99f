import EWeLink
@testable import EWeLinkCloud
import EWeLinkLAN
@testable import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// One interface as `cloud-api-v2.md` describes it (`Fixtures/cloud-api-v2/`, extracted from the
/// document by `scripts/cloud-fixtures/extract.py`): its field tables and its examples.
struct DocInterface: Sendable {
    struct Field: Sendable {
        var name: String
        var type: String
        var allowsEmpty: Bool
    }

    var name: String
    var method: String?
    var path: String?
    var tables: [String: [Field]]
    var requestExamples: [JSONValue]
    var responseExamples: [JSONValue]
    var otherExamples: [JSONValue]

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/cloud-api-v2")

    static func load(_ name: String) throws -> DocInterface {
        let data = try Data(contentsOf: directory.appendingPathComponent(name + ".json"))
        let o = try JSONValue.parse(Array(data))
        var tables: [String: [Field]] = [:]
        for (key, rows) in o["tables"]?.objectValue?.entries ?? [] {
            tables[key] = (rows.arrayValue ?? []).compactMap { r in
                guard let n = r["name"]?.stringValue, let t = r["type"]?.stringValue else { return nil }
                return Field(name: n, type: t, allowsEmpty: r["allowsEmpty"]?.boolValue ?? true)
            }
        }
        return DocInterface(name: name, method: o["method"]?.stringValue, path: o["path"]?.stringValue, tables: tables,
                            requestExamples: o["requestExamples"]?.arrayValue ?? [],
                            responseExamples: o["responseExamples"]?.arrayValue ?? [],
                            otherExamples: (o["otherExamples"]?.arrayValue ?? []).compactMap { $0["value"] })
    }

    /// The fixture of a REST exchange (`POST /v2/device/thing`).
    static func forInterface(_ interface: String) throws -> DocInterface? {
        guard let api = CloudAPI(rawValue: interface) else { return nil }
        return try load("\(api)")
    }

    /// Whether a value has the document's type (`String`, `Int`, `Long`, `number`, `Boolean`,
    /// `Object`, `Array<Object>`; a named type such as `User` is an object).
    static func fits(_ v: JSONValue, _ type: String) -> Bool {
        let t = type.lowercased()
        if t.hasPrefix("array") { return v.arrayValue != nil }
        switch t {
        case "string": return v.stringValue != nil
        case "int", "long", "number", "integer": return v.isNumber
        case "boolean", "bool": return v.boolValue != nil
        default: return v.objectValue != nil
        }
    }

    /// Fields whose type the document contradicts in its own words: either form is accepted.
    static let selfContradictions: [String: String] = [
        "opsSwitchs": "typed String, described as a list whose one element is \"switch\"",
    ]

    /// What in `o` disagrees with a table: required fields missing, fields of another type, and
    /// (unless `open`) fields the table does not name.
    static func problems(_ o: JSONObject, _ table: [Field], at place: String, open: Bool) -> [String] {
        var out: [String] = []
        for f in table {
            guard let v = o[f.name], v != .null else {
                if !f.allowsEmpty { out.append("\(place): \(f.name) (\(f.type)) missing") }
                continue
            }
            if !fits(v, f.type) && selfContradictions[f.name] == nil { out.append("\(place): \(f.name) is \(v.serialized.prefix(40)), not \(f.type)") }
        }
        if !open {
            let named = Set(table.map(\.name))
            for key in o.keys where !named.contains(key) { out.append("\(place): \(key) is not in the document") }
        }
        return out
    }
}

@Suite("Conformance with cloud-api-v2.md itself (not with our own mock)")
struct CloudConformanceTests {
    @Test("Every interface of our table has a fixture from the document, with the same method and path")
    func everyInterfaceDocumented() throws {
        for api in CloudAPI.allCases {
            let doc = try DocInterface.load("\(api)")
            #expect(doc.method == api.method && doc.path == api.path, "\(api)")
            #expect(!doc.tables.isEmpty, "\(api) has field tables")
        }
    }

    @Test("Our decoders read the document's own response examples")
    func documentExamplesDecode() throws {
        let login = try DocInterface.load("login").responseExamples
        #expect(login.count == 1 && CloudClient.redirectRegion(login[0]) == .eu)
        let code = try DocInterface.load("verificationCode").responseExamples
        #expect(CloudClient.redirectRegion(code[0]) == .eu)
        let refused = try DocInterface.load("addDevice").responseExamples[0]
        #expect(throws: CloudError.api(code: 30017, message: refused["msg"]!.stringValue!, path: "/v2/device/add")) {
            try CloudClient.unwrap(refused, path: "/v2/device/add")
        }
        #expect(CloudErrorCode(rawValue: 30017) != nil)
        let dispatch = try DocInterface.load("dispatch").responseExamples[0]
        #expect(try CloudClient.webSocketURL(fromDispatch: dispatch, secure: true) == "wss://cn-pconnect2.coolkit.cc:8080/api/ws")
        // WebSocket: the handshake answer, a device's online notice, an update's and a query's replies.
        guard case .reply(let hello, let beat) = try CloudSocketMessage.parse(
            try DocInterface.load("wsUserOnline").responseExamples[0].serialized) else { Issue.record("handshake"); return }
        #expect(hello.error == 0 && beat == CloudHeartbeat(enabled: true, interval: 145))
        let sysmsg = try DocInterface.load("wsSysmsg").responseExamples[0]
        #expect(try CloudSocketMessage.parse(sysmsg.serialized) == .presence(deviceID: "1000000001", online: false))
        guard case .reply(let updated, _) = try CloudSocketMessage.parse(
            try DocInterface.load("wsUpdate").responseExamples[0].serialized) else { Issue.record("update reply"); return }
        #expect(updated.error == 0 && updated.sequence == "1585297259553" && updated.deviceID == "1000000001")
        guard case .reply(let queried, _) = try CloudSocketMessage.parse(
            try DocInterface.load("wsQuery").responseExamples[0].serialized) else { Issue.record("query reply"); return }
        #expect(queried.sequence == nil && queried.deviceID == "1000000001" && queried.params?["switch"] == "on")
        // The device's answer to an OTA `upgrade` (no action: a reply).
        let otaReply = try DocInterface.load("otaQuery").otherExamples.first { $0["error"] != nil }
        guard case .reply(let ack, _)? = try otaReply.map({ try CloudSocketMessage.parse($0.serialized) }) else {
            Issue.record("upgrade acknowledgement"); return
        }
        #expect(ack.error == 0)
    }

    @Test("A device item made from the document's tables (every field, negative index, unknown extras) decodes")
    func deviceItemFromTables() throws {
        let doc = try DocInterface.load("deviceItem")
        func sample(_ table: [DocInterface.Field], nested prefix: String) -> JSONObject {
            var o: JSONObject = [:]
            for f in table {
                let key = prefix + "." + f.name
                if let inner = doc.tables[key] { o[f.name] = .object(sample(inner, nested: key)); continue }
                if let items = doc.tables[key + "[]"] { o[f.name] = [.object(sample(items, nested: key + "[]"))]; continue }
                switch f.type.lowercased() {
                case "string": o[f.name] = .string(f.name == "deviceid" ? "1000abcdef" : "\(f.name)-value")
                case "int", "long", "number": o[f.name] = f.name == "index" ? -236 : 1
                case "boolean": o[f.name] = true
                case let t where t.hasPrefix("array"): o[f.name] = []
                default: o[f.name] = [:]
                }
            }
            o["isSupportChannelSplit"] = false  // fields the document does not list are ignored
            return o
        }
        var data = sample(try #require(doc.tables["response.deviceList[]"]), nested: "response.deviceList[]")
        data["params"] = ["switch": "on", "fwVersion": "3.6.0"]
        let item: JSONValue = ["itemType": 1, "index": -236, "itemData": .object(data)]
        let thing = try #require(CloudThing(item: item))
        #expect(thing.deviceID == "1000abcdef" && thing.devicekey == "devicekey-value" && thing.apikey == "apikey-value")
        #expect(thing.uiid == 1 && thing.model == "model-value" && thing.fwVersion == "3.6.0")
        #expect(thing.familyID == "familyid-value")
        // Optional fields missing: still a device.
        let bare: JSONValue = ["itemType": 2, "index": -1, "itemData": ["deviceid": "1000abcdef", "apikey": "a"]]
        #expect(CloudThing(item: bare)?.devicekey == nil)
    }

    @Test("The mock accepts the document's own request examples")
    func mockAcceptsDocumentRequests() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let example = try #require(try DocInterface.load("homepage").requestExamples.first?.objectValue)
        let page = try await c.call(.homepage, body: example)
        #expect(page["thingInfo"]?["thingList"]?.arrayValue?.count == 1)
    }

    @Test("What our typed wrappers send and what the mock answers both fit the document's field tables (history opsSwitchs: the document types it String but describes a list)")
    func exchangesFitTables() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true), ("strip", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let plug = sim.devices[0], strip = sim.devices[1]
        try await c.refresh()
        _ = try await c.profile()
        let homes = try await c.families()
        _ = try await c.things()
        _ = try await c.status(of: plug.id, params: ["switch"])
        try await c.setStatus(of: plug.id, params: ["switch": "on"])
        _ = try await c.batchStatus([ThingUpdate(id: strip.id, params: ["switches": [["switch": "on", "outlet": 0]]])])
        _ = try await c.things([CloudThingRef(.ownDevice, plug.id)])
        _ = try await c.homepage()
        let room = try await c.addRoom(to: homes.currentFamilyID, name: "Hall")
        try await c.updateDevice(plug.id, name: "Hall plug", roomID: room.id)
        _ = try await c.setTags(plug.id, ["0": "lamp"])
        let group = try await c.addGroup(name: "Both", mainDeviceID: plug.id)
        _ = try await c.groups()
        try await c.setGroupStatus(group.id, params: ["switch": "off"])
        _ = try await c.history(of: plug.id)
        _ = try await c.otaQuery([(plug.id, plug.config.model, plug.config.fwVersion)])
        _ = try await c.messages()
        _ = try await c.share([plug.id], with: .email(spec.guestEmail), permit: .allTimers)
        let guestKey = try #require(try await c.things().first { $0.deviceID == plug.id }?.shareTo.first?.apikey)
        _ = try await c.setSharePermit(plug.id, apikey: guestKey, permit: .allTimers)
        _ = try await c.cancelShare(plug.id, apikey: guestKey)

        var requestProblems: [String] = [], responseProblems: [String] = []
        var checked = Set<String>()
        for exchange in cloud.exchanges {
            guard let doc = try DocInterface.forInterface(exchange.interface) else { continue }
            checked.insert(exchange.interface)
            let table = doc.tables["request"] ?? []
            if let body = exchange.body?.objectValue {
                requestProblems += DocInterface.problems(body, table, at: exchange.interface, open: false)
            } else {
                let named = Dictionary(table.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
                for (key, value) in exchange.query {
                    guard let f = named[key] else { requestProblems.append("\(exchange.interface): ?\(key) is not in the document"); continue }
                    if ["int", "long"].contains(f.type.lowercased()) && Int(value) == nil {
                        requestProblems.append("\(exchange.interface): ?\(key)=\(value) is not an integer")
                    }
                }
            }
            guard exchange.response["error"]?.intValue == 0, let data = exchange.response["data"]?.objectValue else {
                responseProblems.append("\(exchange.interface): refused \(exchange.response.serialized.prefix(120))")
                continue
            }
            responseProblems += DocInterface.problems(data, doc.tables["response"] ?? [], at: exchange.interface, open: true)
            responseProblems += try Self.nestedProblems(doc, data, at: exchange.interface)
        }
        #expect(checked.count >= 20, "\(checked.count) interfaces exercised")
        #expect(requestProblems.isEmpty, "\(requestProblems.joined(separator: "\n"))")
        #expect(responseProblems.isEmpty, "\(responseProblems.joined(separator: "\n"))")
    }

    /// Lists and objects inside `data` held against their own tables; a device item's `itemData`
    /// against the device tables of "Get the list of all devices".
    static func nestedProblems(_ doc: DocInterface, _ data: JSONObject, at place: String) throws -> [String] {
        var out: [String] = []
        let device = try DocInterface.load("deviceItem")
        for (key, table) in doc.tables where key.hasPrefix("response.") {
            let path = key.dropFirst("response.".count).split(separator: ".")
            guard path.count == 1 else { continue }  // one level deep is enough here
            var name = String(path[0])
            let isList = name.hasSuffix("[]")
            if isList { name.removeLast(2) }
            let values = isList ? (data[name]?.arrayValue ?? []) : (data[name].map { [$0] } ?? [])
            for (n, v) in values.enumerated() {
                guard let o = v.objectValue else { out.append("\(place): \(name)[\(n)] is not an object"); continue }
                out += DocInterface.problems(o, table, at: "\(place) \(name)[\(n)]", open: true)
                if let type = o["itemType"]?.intValue, type != 3, let itemData = o["itemData"]?.objectValue {
                    out += problemsOfDevice(itemData, device, at: "\(place) \(name)[\(n)].itemData")
                }
            }
        }
        return out
    }

    static func problemsOfDevice(_ o: JSONObject, _ device: DocInterface, at place: String) -> [String] {
        var out = DocInterface.problems(o, device.tables["response.deviceList[]"] ?? [], at: place, open: true)
        for (key, table) in device.tables where key.hasPrefix("response.deviceList[].") {
            let name = String(key.dropFirst("response.deviceList[].".count))
            if name.hasSuffix("[]") {
                for v in o[String(name.dropLast(2))]?.arrayValue ?? [] {
                    out += DocInterface.problems(v.objectValue ?? [:], table, at: "\(place).\(name)", open: true)
                }
            } else if let v = o[name]?.objectValue, name != "devConfig" {
                out += DocInterface.problems(v, table, at: "\(place).\(name)", open: true)
            }
        }
        return out
    }

    @Test("Our WebSocket messages carry the document's fields with the document's types")
    func socketMessagesFitTables() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = client(cloud, spec, limiter: CloudRateLimiter())
        let session = try await c.login(email: spec.guestEmail, password: spec.guestPassword, countryCode: "+1", region: .us)
        let socket = CloudSocket(client: c)
        let hello = try DocInterface.load("wsUserOnline")
        #expect(DocInterface.problems(socket.handshake(session, sequence: "1571141530100"), hello.tables["request"]!,
                                      at: "userOnline", open: false).isEmpty)
        let d = sim.devices[0]
        for (name, params) in [("wsUpdate", JSONValue.object(["switch": "on"])), ("wsQuery", ["switch"])] {
            let doc = try DocInterface.load(name)
            var table = doc.tables["request"]!
            // `selfApikey` for shared devices appears in the query's example, not in its table.
            if !table.contains(where: { $0.name == "selfApikey" }) {
                table.append(.init(name: "selfApikey", type: "string", allowsEmpty: true))
            }
            let message = socket.command(name == "wsUpdate" ? "update" : "query", d.id, apikey: d.config.apikey,
                                         params: params, sequence: "1585297259553")
            #expect(DocInterface.problems(message, table, at: name, open: false).isEmpty,
                    "\(DocInterface.problems(message, table, at: name, open: false))")
            #expect(message["selfApikey"] == .string(session.apikey), "shared with this account")
        }
    }
}
