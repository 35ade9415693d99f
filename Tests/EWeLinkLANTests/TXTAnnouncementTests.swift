import EWeLinkLAN
import Foundation
import Testing

@Suite("TXT codec")
struct TXTAnnouncementTests {
    @Test("The DIY capture from the official document decodes as plain JSON")
    func diyCapture() throws {
        let captures = try Fixtures.json("real-captures.json")
        let capture = captures["plain_captures"]!.arrayValue!.first { $0.s("id") == "diy-doc-v1.4-txt" }!
        var records: [String: String] = [:]
        for (k, v) in capture["txt"]!.objectValue! { records[k] = v.stringValue }
        let ann = try TXTAnnouncement(records: records)
        #expect(ann.deviceID == "1000806ace")
        #expect(ann.type == .diyPlug)
        #expect(ann.seq == 853)
        #expect(!ann.encrypted)
        #expect(ann.warnings.isEmpty)
        let state = try #require(try ann.state(devicekey: nil))
        #expect(state["switch"] == "off")
        #expect(state["pulseWidth"] == 500)
        #expect(state["rssi"] == -70)
    }

    @Test("The encrypted SonoffLAN capture needs its key; without one the state is unknown")
    func encryptedCapture() throws {
        let captures = try Fixtures.json("real-captures.json")
        let entry = captures["encrypted"]!.arrayValue![1]
        var records: [String: String] = ["seq": "4"]
        for (k, v) in entry["as_txt_record"]!.objectValue! { records[k] = v.stringValue }
        let ann = try TXTAnnouncement(records: records)
        #expect(ann.encrypted)
        #expect(try ann.state(devicekey: nil) == nil)
        #expect(try ann.state(devicekey: entry.s("devicekey")) == ["switch": "on"])
        #expect(throws: TXTRecordError.self) { try ann.state(devicekey: "00000000-0000-0000-0000-000000000000") }
    }

    @Test("Missing mandatory keys and a bad seq are typed errors")
    func malformed() {
        #expect(throws: TXTRecordError.missingField("id")) { try TXTAnnouncement(records: ["type": "plug", "seq": "1"]) }
        #expect(throws: TXTRecordError.missingField("type")) { try TXTAnnouncement(records: ["id": "x", "seq": "1"]) }
        #expect(throws: TXTRecordError.missingField("seq")) { try TXTAnnouncement(records: ["id": "x", "type": "plug"]) }
        #expect(throws: TXTRecordError.self) { try TXTAnnouncement(records: ["id": "x", "type": "plug", "seq": "abc"]) }
        #expect(throws: TXTRecordError.missingField("iv")) {
            try TXTAnnouncement(records: ["id": "x", "type": "plug", "seq": "1", "encrypt": "true", "data1": "abc"])
        }
        #expect(throws: TXTRecordError.self) {
            try TXTAnnouncement(records: ["id": "x", "type": "diy_plug", "seq": "1", "data1": "{\"switch\":"]).state(devicekey: nil)
        }
    }

    @Test("Unknown type and newer apivers are reported, not fatal")
    func warnings() throws {
        let ann = try TXTAnnouncement(records: ["id": "1000aaaaaa", "type": "teleporter", "apivers": "3", "seq": "1",
                                                "data1": "{}"])
        #expect(ann.warnings.count == 2)
        #expect(try ann.state(devicekey: nil) == [:])
    }

    @Test("encrypt=false is not encryption (compare to the string true)")
    func encryptFalse() throws {
        let ann = try TXTAnnouncement(records: ["id": "1", "type": "diy_plug", "seq": "1", "encrypt": "false",
                                                "data1": #"{"switch":"on"}"#])
        #expect(!ann.encrypted)
        #expect(try ann.state(devicekey: nil) == ["switch": "on"])
    }

    @Test("No data at all (ZbBridge-U) reads as {}")
    func noData() throws {
        let ann = try TXTAnnouncement(records: ["id": "1", "type": "zbbridgeu", "seq": "1"])
        #expect(try ann.state(devicekey: nil) == [:])
    }

    @Test("Plain and encrypted states round-trip through records; order is the devices' order")
    func roundTrip() throws {
        let state: JSONObject = ["switch": "on", "startup": "stay", "pulse": "off", "pulseWidth": 500, "rssi": -61,
                                 "ssid": .string(String(repeating: "é", count: 200))]
        for cipher in [nil, DeviceCipher(devicekey: "k-\(UUID().uuidString)")] {
            let ann = try TXTAnnouncement.make(deviceID: "1000abcdef", type: .plug, seq: 9, state: state, cipher: cipher)
            let keys = ann.records.map(\.key)
            #expect(Array(keys.prefix(5)) == ["txtvers", "id", "type", "apivers", "seq"])
            for r in ann.records where r.key.hasPrefix("data") { #expect(r.value.utf8.count <= 249) }
            let back = try TXTAnnouncement(records: Dictionary(uniqueKeysWithValues: ann.records.map { ($0.key, $0.value) }))
            #expect(back == ann)
            #expect(try back.state(cipher: cipher) == state)
        }
    }

    @Test("A state under 996 bytes that needs a fifth chunk (multi-byte text) is refused, not published cut")
    func fifthChunk() throws {
        // 995 bytes of JSON, but chunks end on characters: 4-byte emoji leave 248-byte chunks.
        let state: JSONObject = ["blob": .string(String(repeating: "😀", count: 246))]
        #expect(JSONValue.object(state).serializedBytes.count == 995)
        #expect(throws: TXTRecordError.stateTooLarge(characters: 995)) {
            try TXTAnnouncement.make(deviceID: "1000abcdef", type: .plug, seq: 1, state: state, cipher: nil)
        }
        // One emoji fewer fits four chunks and reads back whole.
        let fits: JSONObject = ["blob": .string(String(repeating: "😀", count: 240))]
        let ann = try TXTAnnouncement.make(deviceID: "1000abcdef", type: .plug, seq: 1, state: fits, cipher: nil)
        var records: [String: String] = [:]
        for (k, v) in ann.records { records[k] = v }
        #expect(try TXTAnnouncement(records: records).state(devicekey: nil) == fits)
    }

    @Test("A state too large for four chunks is refused")
    func tooLarge() {
        let state: JSONObject = ["blob": .string(String(repeating: "a", count: 1200))]
        #expect(throws: TXTRecordError.self) {
            try TXTAnnouncement.make(deviceID: "1", type: .plug, seq: 1, state: state, cipher: nil)
        }
    }
}
