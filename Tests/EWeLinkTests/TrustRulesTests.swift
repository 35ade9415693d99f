@testable import EWeLinkLAN
import Foundation
import Testing

/// The trust rule of discovery (README "Trust: announcements and addresses"), on the pure tracker.
@Suite("Discovery trust rule (forged announcements, per-source seq, DIY rivals)")
struct TrustRulesTests {
    static let id = "1000abc001"
    static let key = "6e2a4f3c-1b7d-4c89-9a10-2f5e8d7c6b4a"

    static func service(_ name: String, port: UInt16, _ ann: TXTAnnouncement, iface: Int32 = 1) -> ResolvedService {
        ResolvedService(name: name, type: "_ewelink._tcp", domain: "local", interfaceIndex: iface, hostName: "h.local",
                        address: "127.0.0.1", port: port,
                        txt: ann.records.map { TXTPair(key: $0.key, value: $0.value) })
    }

    static func encrypted(seq: Int, _ state: JSONObject, key: String = TrustRulesTests.key) -> TXTAnnouncement {
        try! TXTAnnouncement.make(deviceID: id, type: DeviceType(rawValue: "plug"), seq: seq, state: state, cipher: DeviceCipher(devicekey: key))
    }

    static func plain(seq: Int, _ state: JSONObject) -> TXTAnnouncement {
        try! TXTAnnouncement.make(deviceID: id, type: DeviceType(rawValue: "diy_plug"), seq: seq, state: state, cipher: nil)
    }

    @Test("A forged encrypted announcement (wrong key) is rejected before and after the real one; the real one's later revisions count")
    func forgedEncrypted() {
        var t = Tracker(keys: { $0 == Self.id ? Self.key : nil })
        let now = Date()
        let forged = Self.service("eWeLink_x", port: 9999, Self.encrypted(seq: 999_999, ["switch": "on"], key: "other"))
        guard case .rejected(let r)? = t.handle(.resolved(forged), now: now).first else { Issue.record(); return }
        #expect(r.deviceID == Self.id && r.source.port == 9999 && r.source.seq == 999_999)
        #expect(t.devices.isEmpty, "nothing adopted")
        #expect(t.handle(.resolved(forged), now: now).isEmpty, "reported once per revision")

        let real = Self.service("eWeLink_\(Self.id)", port: 8081, Self.encrypted(seq: 3, ["switch": "off"]))
        guard case .appeared(let d)? = t.handle(.resolved(real), now: now).first else { Issue.record(); return }
        #expect(d.port == 8081 && d.seq == 3 && d.state?["switch"] == "off" && d.rivals.isEmpty)

        let again = Self.service("eWeLink_x", port: 9999, Self.encrypted(seq: 1_000_000, ["switch": "on"], key: "other"))
        guard case .rejected? = t.handle(.resolved(again), now: now).first else { Issue.record(); return }
        #expect(t.devices[Self.id]?.port == 8081 && t.devices[Self.id]?.seq == 3)

        let pressed = Self.service("eWeLink_\(Self.id)", port: 8081, Self.encrypted(seq: 4, ["switch": "on"]))
        guard case .changed(let after)? = t.handle(.resolved(pressed), now: now).first else { Issue.record(); return }
        #expect(after.seq == 4 && after.state?["switch"] == "on" && after.port == 8081)
        // A forged service going away does not make the device disappear.
        #expect(t.handle(.removed(name: "eWeLink_x", interfaceIndex: 1), now: now).isEmpty)
    }

    @Test("A plain announcement for a device with a key is rejected")
    func plainForKeyed() {
        var t = Tracker(keys: { _ in Self.key })
        let out = t.handle(.resolved(Self.service("eWeLink_y", port: 9998, Self.plain(seq: 5, ["switch": "on"]))), now: Date())
        guard case .rejected(let r)? = out.first else { Issue.record("\(out)"); return }
        #expect(r.reason.contains("plain"))
        #expect(t.devices.isEmpty)
    }

    @Test("DIY: a second source is a rival, not the device; the trusted address wins; each source has its own seq guard")
    func diyRivals() {
        var t = Tracker(keys: { _ in nil }, trustedAddress: { _ in "127.0.0.1:8081" })
        let now = Date()
        // The spoofer first, with a huge seq and its own state.
        let spoof = Self.service("eWeLink_x", port: 9999, Self.plain(seq: 999_999, ["switch": "on", "evil": 1]))
        guard case .appeared(let first)? = t.handle(.resolved(spoof), now: now).first else { Issue.record(); return }
        #expect(first.port == 9999, "alone, it is all there is")
        // The real device, at the address that answered before: it is preferred, the spoofer a rival.
        let real = Self.service("eWeLink_\(Self.id)", port: 8081, Self.plain(seq: 5, ["switch": "off"]))
        guard case .changed(let d)? = t.handle(.resolved(real), now: now).first else { Issue.record(); return }
        #expect(d.port == 8081 && d.seq == 5 && d.state == ["switch": "off"])
        #expect(d.rivals.map(\.port) == [9999])
        // The spoofer again: a contest, the device unchanged.
        let spoof2 = Self.service("eWeLink_x", port: 9999, Self.plain(seq: 1_000_000, ["switch": "on", "evil": 2]))
        guard case .contested(let same, let by)? = t.handle(.resolved(spoof2), now: now).first else { Issue.record(); return }
        #expect(same.port == 8081 && same.state == ["switch": "off"] && by.port == 9999 && by.seq == 1_000_000)
        // The real device's next revision is not stale for all the spoofer's seq.
        let pressed = Self.service("eWeLink_\(Self.id)", port: 8081, Self.plain(seq: 6, ["switch": "on"]))
        guard case .changed(let next)? = t.handle(.resolved(pressed), now: now).first else { Issue.record(); return }
        #expect(next.seq == 6 && next.state == ["switch": "on"])
    }

    @Test("DIY: the source that answered last is preferred; a withdrawn preferred source hands over to the rival")
    func answeredLast() {
        var t = Tracker(keys: { _ in nil })
        let now = Date()
        _ = t.handle(.resolved(Self.service("eWeLink_\(Self.id)", port: 8081, Self.plain(seq: 5, ["switch": "off"]))), now: now)
        _ = t.handle(.resolved(Self.service("eWeLink_x", port: 9999, Self.plain(seq: 9, ["switch": "on"]))), now: now)
        #expect(t.devices[Self.id]?.port == 8081, "first seen")
        let fromSpoof = LANUpdate(deviceID: Self.id, seq: nil, state: nil, source: .http, host: "127.0.0.1", port: 9999)
        guard case .changed(let d)? = t.ingest(fromSpoof, now: now).first else { Issue.record(); return }
        #expect(d.port == 9999 && d.rivals.map(\.port) == [8081])
        let fromReal = LANUpdate(deviceID: Self.id, seq: 6, state: ["switch": "on"], source: .http, host: "127.0.0.1", port: 8081)
        guard case .changed(let back)? = t.ingest(fromReal, now: now).first else { Issue.record(); return }
        #expect(back.port == 8081 && back.seq == 6)
        guard case .changed(let only)? = t.handle(.removed(name: "eWeLink_\(Self.id)", interfaceIndex: 1), now: now).first
        else { Issue.record(); return }
        #expect(only.port == 9999 && only.rivals.isEmpty)
        #expect(t.handle(.removed(name: "eWeLink_x", interfaceIndex: 1), now: now) == [.disappeared(id: Self.id)])
    }
}
