import EWeLink
import EWeLinkLAN
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 20, point 5: a newer store is never rewritten in an older format, members this version
/// does not know are kept, and temp files of writers killed mid-write do not stay.
@Suite("Device store format and leftovers")
struct StoreFormatTests {
    static func write(_ text: String, to store: DeviceStore) throws {
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        #expect(FileManager.default.createFile(atPath: store.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]))
    }

    @Test("A store of format 99 is read but never written: the change is refused, saying which format is needed; the file is unchanged")
    func newerFormatRefused() throws {
        let store = DeviceStore(directory: temporaryDirectory())
        let text = #"{"version":99,"vault":{"sealed":true},"devices":[{"id":"1000abc001","devicekey":"k","keyring":[1,2]}]}"#
        try Self.write(text, to: store)
        #expect(try store.load().map(\.id) == ["1000abc001"])
        #expect { try store.update { $0.append(StoredDevice(id: "1000abc002")) } } throws: { error in
            guard case DeviceStoreError.newerFormat(_, let version, let supported) = error else { return false }
            let message = "\(error)"
            return version == 99 && supported == 1 && message.contains("format 99") && message.contains(store.path)
        }
        #expect(try String(contentsOfFile: store.path, encoding: .utf8) == text)
    }

    @Test("Members this version does not know, at the top and in a device, survive a rewrite as they were")
    func unknownMembersKept() throws {
        let store = DeviceStore(directory: temporaryDirectory())
        let text = #"{"version":1,"owner":{"note":"kept"},"devices":[{"id":"1000abc001","devicekey":"k","schedule":[{"at":"07:00","switch":"on"}],"icon":"lamp"}]}"#
        try Self.write(text, to: store)
        try store.update { list in
            list[0].name = "Lamp"
            list.append(StoredDevice(id: "1000abc002"))
        }
        let root = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: store.path))))
        #expect(root["version"] == 1)
        #expect(root["owner"] == ["note": "kept"])
        let first = try #require(root["devices"]?.arrayValue?.first)
        #expect(first["name"] == "Lamp")
        #expect(first["schedule"] == [["at": "07:00", "switch": "on"]])
        #expect(first["icon"] == "lamp")
        #expect(root["devices"]?.arrayValue?.count == 2)
        // Listings show only what this version knows.
        let listed = try store.load()[0].json(showKeys: false)
        #expect(listed["icon"] == nil && listed["schedule"] == nil)
    }

    @Test("A file the previous version wrote, every member set, loads into the records and is written back byte for byte")
    func sameBytes() throws {
        let (source, copy) = (DeviceStore(directory: temporaryDirectory()), DeviceStore(directory: temporaryDirectory()))
        let devices = [
            #"{"id":"1000abc001","name":"Kitchen","devicekey":"0123456789abcdef","apikey":"owner","uiid":1,"type":"plug","#
                + #""model":"BASICR3","fwVersion":"3.6.0","channels":1,"host":"127.0.0.1","port":18081,"hostConfigured":true,"#
                + #""addressVerified":true,"lastState":{"switch":"on"},"lastSeq":4,"lastSeen":"2027-01-15T08:00:00Z","#
                + #""policy":"lan","lan":{"replyMs":[5.25,12.0,2000.0],"failures":2,"lastProbe":"2027-01-15T08:00:01Z","#
                + #""lastCacheMiss":"2027-01-15T08:00:02Z"},"cloudOnline":false}"#,
            #"{"id":"1000abc002","type":"diy_plug","host":"127.0.0.2","port":8081,"icon":"lamp"}"#,
        ]
        let text = "{\"version\":1,\"devices\":[\n  " + devices.joined(separator: ",\n  ") + "\n]}\n"
        try Self.write(text, to: source)
        let loaded = try source.load()
        let kitchen = loaded[0]
        #expect(kitchen.identity == DeviceIdentity(id: "1000abc001", name: "Kitchen", key: DeviceKey("0123456789abcdef"),
                                                   apikey: "owner"))
        #expect(kitchen.shape == DeviceShape(type: .plug, uiid: 1, model: "BASICR3", fwVersion: "3.6.0", channels: 1))
        #expect(kitchen.address == DeviceAddress(host: "127.0.0.1", port: 18081, configured: true, verified: true))
        #expect(kitchen.health.policy == .lan && kitchen.health.lan.failures == 2 && kitchen.health.cloudOnline == false)
        #expect(kitchen.health.lastSeq == 4 && kitchen.health.lastState == ["switch": "on"])
        try copy.update { $0 = loaded }
        let written = try String(contentsOfFile: copy.path, encoding: .utf8)
        #expect(written == text, "written: \(written)")
    }

    @Test("A temp file of a writer that died (its pid gone) is removed at the next write; one of a live process stays")
    func staleTempsRemoved() throws {
        let store = DeviceStore(directory: temporaryDirectory())
        try store.update { $0.append(StoredDevice(id: "1000abc001", devicekey: "k")) }
        // A pid that surely ended: a child run to its end and reaped.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = child.processIdentifier
        #expect(kill(dead, 0) != 0)
        let stale = "\(store.path).tmp-\(dead)-1234567"
        let live = "\(store.path).tmp-\(getpid())-7654321"   // this process: alive, perhaps mid-write
        let unrelated = "\(store.path).tmp-\(dead)-notanumber"
        for path in [stale, live, unrelated] {
            #expect(FileManager.default.createFile(atPath: path, contents: Data("{\"devices\":[]}".utf8),
                                                   attributes: [.posixPermissions: 0o600]))
        }
        try store.update { $0.append(StoredDevice(id: "1000abc002")) }
        #expect(!FileManager.default.fileExists(atPath: stale), "the dead writer's copy of the keys stayed")
        #expect(FileManager.default.fileExists(atPath: live), "a live writer's temp file was removed")
        #expect(FileManager.default.fileExists(atPath: unrelated), "a file not of the temp form was removed")
        #expect(try store.load().count == 2)
    }
}
