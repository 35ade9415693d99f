@testable import EWeLinkLAN
import Foundation
import Testing

@Suite("Discovery rules (dedup, stale, reboot, names)")
struct TrackerRulesTests {
    func service(_ name: String, seq: Int, data: String = #"{"switch":"on"}"#, iface: Int32 = 1, port: UInt16 = 8081,
                 id: String = "1000abc001") -> ResolvedService {
        ResolvedService(name: name, type: "_ewelink._tcp", domain: "local", interfaceIndex: iface, hostName: "h.local",
                        address: "127.0.0.1", port: port,
                        txt: [TXTPair(key: "txtvers", value: "1"), TXTPair(key: "id", value: id),
                              TXTPair(key: "type", value: "diy_plug"), TXTPair(key: "apivers", value: "1"),
                              TXTPair(key: "seq", value: String(seq)), TXTPair(key: "data1", value: data)])
    }

    @Test("Duplicates are dropped, newer seq accepted, stale seq dropped, reboot (seq ≤ 2) accepted")
    func seqRules() {
        var t = Tracker(keys: { _ in nil })
        let now = Date()
        #expect(t.handle(.resolved(service("eWeLink_1000abc001", seq: 5)), now: now).count == 1)
        #expect(t.handle(.resolved(service("eWeLink_1000abc001", seq: 5)), now: now).isEmpty, "same (seq, iv, data)")
        #expect(t.handle(.resolved(service("eWeLink_1000abc001", seq: 5, iface: 2)), now: now).isEmpty, "other interface")
        let newer = t.handle(.resolved(service("eWeLink_1000abc001", seq: 6, data: #"{"switch":"off"}"#)), now: now)
        guard case .changed(let d)? = newer.first else { Issue.record("\(newer)"); return }
        #expect(d.seq == 6 && d.state?["switch"] == "off")
        #expect(t.handle(.resolved(service("eWeLink_1000abc001", seq: 4)), now: now).isEmpty, "stale")
        let reboot = t.handle(.resolved(service("eWeLink_1000abc001", seq: 1)), now: now)
        #expect(reboot.count == 1, "seq reset after reboot is accepted")
        let late = t.handle(.resolved(service("eWeLink_1000abc001", seq: 0 + 3, data: "{}")), now: now)
        #expect(late.count == 1)
        // A lower seq long after the last accepted one is a reboot too.
        let muchLater = t.handle(.resolved(service("eWeLink_1000abc001", seq: 2 + 0, data: #"{"a":1}"#)),
                                 now: now.addingTimeInterval(30))
        #expect(muchLater.count == 1)
    }

    @Test("Only eWeLink_/eWelink_ names; other services of the type are skipped")
    func names() {
        var t = Tracker(keys: { _ in nil })
        #expect(t.handle(.resolved(service("eWelink_1000abc009", seq: 1, id: "1000abc009")), now: Date()).count == 1)
        #expect(t.handle(.resolved(service("ihost-1001aaaaaa", seq: 1, id: "1001aaaaaa")), now: Date()).isEmpty)
        #expect(t.handle(.resolved(service("zbbridgeu-100bbbbbbb", seq: 1, id: "100bbbbbbb")), now: Date()).isEmpty)
    }

    @Test("Malformed TXT is reported as invalid, not fatal")
    func malformed() {
        var t = Tracker(keys: { _ in nil })
        var s = service("eWeLink_1000abc001", seq: 1)
        s.txt.removeAll { $0.key == "seq" }
        guard case .invalid(let name, _)? = t.handle(.resolved(s), now: Date()).first else { Issue.record(); return }
        #expect(name == "eWeLink_1000abc001")
    }

    @Test("complete comes after the cache is exhausted and every found service resolved")
    func completion() {
        var t = Tracker(keys: { _ in nil })
        #expect(t.handle(.cacheExhausted, now: Date()).isEmpty, "an empty cache waits for ALL_FOR_NOW")
        _ = t.handle(.found(name: "eWeLink_1000abc001", interfaceIndex: 1), now: Date())
        #expect(t.handle(.allForNow, now: Date()).isEmpty, "one resolve still pending")
        let out = t.handle(.resolved(service("eWeLink_1000abc001", seq: 1)), now: Date())
        #expect(out.last == .complete)
    }

    @Test("Removal on every interface is a disappearance")
    func disappearance() {
        var t = Tracker(keys: { _ in nil })
        _ = t.handle(.resolved(service("eWeLink_1000abc001", seq: 1, iface: 1)), now: Date())
        _ = t.handle(.resolved(service("eWeLink_1000abc001", seq: 1, iface: 2)), now: Date())
        #expect(t.handle(.removed(name: "eWeLink_1000abc001", interfaceIndex: 1), now: Date()).isEmpty)
        #expect(t.handle(.removed(name: "eWeLink_1000abc001", interfaceIndex: 2), now: Date()) == [.disappeared(id: "1000abc001")])
    }
}

@Suite("Discovery: HTTP replies join the event path")
struct TrackerHTTPTests {
    @Test("A reply carrying state N is an event; the announcement of N that follows is not")
    func httpThenMDNS() {
        var t = Tracker(keys: { _ in nil })
        let s = TrackerRulesTests().service("eWeLink_1000abc001", seq: 1)
        _ = t.handle(.resolved(s), now: Date())
        let update = LANUpdate(deviceID: "1000abc001", seq: 2, state: ["switch": "off"], source: .http,
                               host: "127.0.0.1", port: 8081)
        guard case .changed(let d)? = t.ingest(update, now: Date()).first else { Issue.record(); return }
        #expect(d.seq == 2 && d.state?["switch"] == "off")
        let announced = TrackerRulesTests().service("eWeLink_1000abc001", seq: 2, data: #"{"switch":"off"}"#)
        #expect(t.handle(.resolved(announced), now: Date()).isEmpty)
        let ack = LANUpdate(deviceID: "1000abc001", seq: 3, state: nil, source: .http, host: "127.0.0.1", port: 8081)
        #expect(t.ingest(ack, now: Date()).isEmpty, "a bare ack waits for the announcement")
        #expect(t.handle(.resolved(TrackerRulesTests().service("eWeLink_1000abc001", seq: 3)), now: Date()).count == 1)
    }
}
