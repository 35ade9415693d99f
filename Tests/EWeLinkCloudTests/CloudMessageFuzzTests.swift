import EWeLinkCloud
import Testing
import TestSupport

@Suite("Fuzzing the cloud WebSocket message parser")
struct CloudMessageFuzzTests {
    static let seeds: [String] = [
        #"{"error":0,"apikey":"a","config":{"hb":1,"hbInterval":145},"sequence":"1700000000000"}"#,
        #"{"action":"update","deviceid":"1000abc001","apikey":"a","userAgent":"device","params":{"switch":"on"},"d_seq":7}"#,
        #"{"action":"sysmsg","deviceid":"1000abc001","apikey":"a","ts":1700000000,"params":{"online":false}}"#,
        #"{"error":0,"deviceid":"1000abc001","apikey":"a","sequence":"1700000000001","params":{"switches":[{"switch":"on","outlet":0}]}}"#,
        #"{"action":"reportSubDevice","deviceid":"1000abc001","params":{}}"#,
        "pong",
    ]

    @Test("Mutated frames parse or give a typed reason; what parses is whole", arguments: [21 as UInt64, 22, 23])
    func fuzz(seed: UInt64) {
        var rng = SeededGenerator(state: seed)
        var parsed = 0, refused = 0
        for n in 0..<5_000 {
            let bytes = mutate(Array(Self.seeds[n % Self.seeds.count].utf8), &rng)
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                switch try CloudSocketMessage.parse(text) {
                case .update(let id, _), .presence(let id, _): #expect(!id.isEmpty)
                case .reply, .pong, .other: break
                }
                parsed += 1
            } catch {
                #expect(!error.description.isEmpty)
                refused += 1
            }
        }
        #expect(parsed > 0 && refused > 0, "the mutations reach both outcomes")
    }

    @Test("The real shapes are read as what they are")
    func shapes() throws {
        #expect(try CloudSocketMessage.parse(Self.seeds[1]) == .update(deviceID: "1000abc001", params: ["switch": "on"]))
        #expect(try CloudSocketMessage.parse(Self.seeds[2]) == .presence(deviceID: "1000abc001", online: false))
        guard case .reply(let r, let hb) = try CloudSocketMessage.parse(Self.seeds[0]) else { Issue.record("not a reply"); return }
        #expect(r.error == 0 && hb == CloudHeartbeat(enabled: true, interval: 145))
        #expect(throws: CloudSocketMessage.Failure.missing(field: "deviceid", action: "update")) {
            try CloudSocketMessage.parse(#"{"action":"update","params":{}}"#)
        }
        #expect(throws: CloudSocketMessage.Failure.notAnObject) { try CloudSocketMessage.parse("[1]") }
    }
}
