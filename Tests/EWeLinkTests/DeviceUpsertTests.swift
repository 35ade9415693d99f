import EWeLink
import EWeLinkLAN
import Foundation
import Testing
import TestSupport

/// The one merge rule of the store (`DeviceStore.upsert`, `StoredDevice.merge`): which source
/// may overwrite which field, for key sync, `devices add`, `scan --add` and lazy learning.
@Suite("Device store: one upsert, one merge rule")
struct DeviceUpsertTests {
    static let id = "1000abc001"

    static func cloud(key: String?, name: String = "Cloud name", fw: String? = "3.5.0") -> DeviceFacts {
        var f = DeviceFacts(id: id, source: .cloud)
        f.key = key.flatMap(DeviceKey.init)
        f.apikey = "owner-apikey"
        f.name = name
        f.uiid = 1
        f.fwVersion = fw
        f.channels = 1
        f.state = ["switch": "off"]
        f.cloudOnline = true
        return f
    }

    @Test("The cloud's key replaces an old one, its name only fills in; the user's name stays; state is taken once")
    func cloudAndUser() throws {
        let store = DeviceStore(directory: temporaryHome())
        #expect(try store.upsert([Self.cloud(key: "key-1")]) == [.added])
        var d = try #require(try store.load().first)
        #expect(d.identity.name == "Cloud name" && d.identity.key?.secret == "key-1" && d.identity.apikey == "owner-apikey")
        #expect(d.health.lastState == ["switch": "off"] && d.health.cloudOnline == true && d.shape.fwVersion == "3.5.0")

        var user = DeviceFacts(id: Self.id, source: .user)
        user.name = "Lamp"
        #expect(try store.upsert([user]) == [.updated])
        // A second sync: a new key and firmware; the name given by hand stays; the state is not the cloud's to change.
        var again = Self.cloud(key: "key-2", name: "Renamed in the app", fw: "3.6.0")
        again.state = ["switch": "on"]
        #expect(try store.upsert([again]) == [.updated])
        d = try #require(try store.load().first)
        #expect(d.identity.name == "Lamp" && d.identity.key?.secret == "key-2" && d.shape.fwVersion == "3.6.0")
        #expect(d.health.lastState == ["switch": "off"])
        // A listing without a key keeps the stored one; the same facts again change nothing.
        #expect(try store.upsert([Self.cloud(key: nil, fw: "3.6.0")]) == [.unchanged])
        #expect(try store.load().first?.identity.key?.secret == "key-2")
        // Only the user removes a key.
        var diy = DeviceFacts(id: Self.id, source: .user)
        diy.removesKey = true
        try store.upsert([diy])
        #expect(try store.load().first?.identity.key == nil)
    }

    @Test("A configured address is the user's: a scan configures its own, the device's answers never move it")
    func addressesAndShape() throws {
        let store = DeviceStore(directory: temporaryHome())
        var user = DeviceFacts(id: Self.id, source: .user)
        user.host = "127.0.0.1"
        user.port = 18081
        user.type = DeviceType(rawValue: "strip")
        user.key = DeviceKey("key-1")
        #expect(try store.upsert([user]) == [.added])
        var d = try #require(try store.load().first)
        #expect(d.address == DeviceAddress(host: "127.0.0.1", port: 18081, configured: true, verified: false))

        // A scan: the address it answered at, configured; type and channels only where none are stored.
        var scan = DeviceFacts(id: Self.id, source: .scan)
        scan.host = "127.0.0.2"
        scan.type = DeviceType(rawValue: "plug")
        scan.channels = 4
        try store.upsert([scan])
        d = try #require(try store.load().first)
        #expect(d.address.host == "127.0.0.2" && d.address.port == 8081 && d.address.configured)
        #expect(d.shape.type?.rawValue == "strip" && d.shape.channels == 4)

        // The device's own answer along the way: firmware and state replace, channels only fill
        // in, and with its key at the stored address it proves that address.
        var answered = DeviceFacts(id: Self.id, source: .device)
        answered.host = "127.0.0.2"
        answered.port = 8081
        answered.answer = LearntDevice(encrypted: true, type: DeviceType(rawValue: "plug"), channels: 1, fwVersion: "3.7.0",
                                       state: ["switch": "on"])
        var device = d
        device.merge(answered)
        #expect(device.address.verified && device.address.host == "127.0.0.2")
        #expect(device.shape.channels == 4 && device.shape.type?.rawValue == "strip" && device.shape.fwVersion == "3.7.0")
        #expect(device.health.lastState == ["switch": "on"])
        // Elsewhere it proves nothing.
        answered.host = "127.0.0.3"
        device = d
        device.merge(answered)
        #expect(!device.address.verified && device.address.host == "127.0.0.2")

        // The user's check: the answer fills in what the user did not give, and verifies the address.
        var checked = DeviceFacts(id: Self.id, source: .user)
        checked.host = "127.0.0.2"
        checked.channels = 2
        checked.answer = answered.answer
        try store.upsert([checked])
        d = try #require(try store.load().first)
        #expect(d.address.verified && d.shape.channels == 2 && d.shape.fwVersion == "3.7.0")
    }

    @Test("A stored device never prints its key")
    func keyNotPrinted() throws {
        let store = DeviceStore(directory: temporaryHome())
        try store.upsert([Self.cloud(key: "0123456789abcdef-secret")])
        let d = try #require(try store.load().first)
        #expect(!"\(d)".contains("secret") && !String(reflecting: d).contains("secret"))
        // The file still holds it, as before.
        #expect(try String(contentsOfFile: store.path, encoding: .utf8).contains("\"devicekey\":\"0123456789abcdef-secret\""))
    }
}
