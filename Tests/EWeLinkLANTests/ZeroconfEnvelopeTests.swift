import EWeLinkLAN
import Foundation
import Testing

@Suite("Zeroconf envelopes")
struct ZeroconfEnvelopeTests {
    let cipher = DeviceCipher(devicekey: "9b0810bc-557a-406c-8266-614767890531")

    @Test("DIY request: data is an object, no iv")
    func plainRequest() throws {
        let r = ZeroconfRequest.plain(["switch": "on"], deviceID: "1000806ace", sequence: "1")
        #expect(String(decoding: r.body, as: UTF8.self)
            == #"{"sequence":"1","deviceid":"1000806ace","selfApikey":"123","data":{"switch":"on"}}"#)
        let back = try ZeroconfRequest.parse(r.body)
        #expect(!back.isEncrypted)
        #expect(try back.params(cipher: nil) == ["switch": "on"])
    }

    @Test("Requests as other clients send them are read", arguments: [
        #"{"deviceid":"100000140e","data":{"switch":"on"}}"#,
        #"{"deviceid":"","data":{"switch":"on"}}"#,
        #"{"sequence":"17","deviceid":"100000140e","encrypt":false,"data":{"switch":"on"}}"#,
        #"{"deviceid":"100000140e","sequence":"17","selfApikey":"x","encrypt":false,"data":"{\"switch\":\"on\"}"}"#,
        #"{"sequence":17,"deviceid":"100000140e","data":{"switch":"on"}}"#,
    ])
    func otherClients(body: String) throws {
        let r = try ZeroconfRequest.parse(Array(body.utf8))
        #expect(try r.params(cipher: nil) == ["switch": "on"])
    }

    @Test("Encrypted request decrypts with the right key only")
    func encryptedRequest() throws {
        let r = try ZeroconfRequest.encrypted(["switches": [["switch": "on", "outlet": 2]]], deviceID: "1000123abc",
                                              cipher: cipher)
        let back = try ZeroconfRequest.parse(r.body)
        #expect(back.isEncrypted)
        #expect(try back.params(cipher: cipher)["switches"]?.arrayValue?.first?["outlet"] == 2)
        #expect(throws: ZeroconfCodecError.self) {
            try back.params(cipher: DeviceCipher(devicekey: "other"))
        }
    }

    @Test("Responses: ack, data object, data as JSON string, encrypted state, error without data")
    func responses() throws {
        let ack = try ZeroconfResponse.parse(Array(#"{"seq":27,"sequence":"1629284160033","error":0}"#.utf8))
        #expect(ack.seq == 27 && ack.sequence == "1629284160033" && ack.error == 0)
        #expect(try ack.state(cipher: nil) == nil)

        let captures = try Fixtures.json("real-captures.json")["plain_captures"]!.arrayValue!
        let stringData = captures.first { $0.s("id") == "mini-fw330-info-data-string" }!["reply"]!
        let r1 = try ZeroconfResponse.parse(JSONValue.object(stringData.objectValue!).serializedBytes)
        #expect(try r1.state(cipher: nil)?["startup"] == "stay")

        let objectData = captures.first { $0.s("id") == "mini-fw360-info-and-unlock" }!["replies"]!["/zeroconf/info"]!
        let r2 = try ZeroconfResponse.parse(JSONValue.object(objectData.objectValue!).serializedBytes)
        #expect(try r2.state(cipher: nil)?["fwVersion"] == "3.6.0")

        let withState = try ZeroconfResponse.withState(["switch": "off"], seq: 3, sequence: "9", cipher: cipher)
        let r3 = try ZeroconfResponse.parse(withState.body)
        #expect(r3.seq == 3 && r3.encryptFlag == true)
        #expect(try r3.state(cipher: cipher) == ["switch": "off"])

        let err = try ZeroconfResponse.parse(Array(#"{"sequence":"1782210404401","seq":2,"error":400,"encrypt":true}"#.utf8))
        #expect(err.errorCode == .badRequest)
        #expect(try err.state(cipher: cipher) == nil)
    }

    @Test("Garbage bodies are typed errors", arguments: [
        "", "<html>nope</html>", "[1,2]", #"{"seq":1}"#, #"{"error":"x"}"#, #"{"error":0,"data":5}"#, "{\"error\":0",
    ])
    func garbage(body: String) {
        #expect(throws: ZeroconfCodecError.self) { try ZeroconfResponse.parse(Array(body.utf8)) }
    }

    @Test("One table of LAN error codes")
    func errorTable() {
        #expect(LANErrorCode.allCases.map(\.rawValue) == [0, 400, 401, 403, 404, 408, 413, 422, 424, 471, 500, 503])
        #expect(LANErrorCode.describe(471).contains("SHA-256"))
        #expect(LANErrorCode.describe(999).contains("unknown"))
    }

    @Test("The sequence generator is strictly increasing across threads")
    func sequenceMonotonic() async {
        let gen = SequenceGenerator(clock: { 1_700_000_000_000 })
        let all = await withTaskGroup(of: [Int64].self) { group in
            for _ in 0..<8 { group.addTask { (0..<500).map { _ in gen.next() } } }
            var out: [Int64] = []
            for await chunk in group {
                for (a, b) in zip(chunk, chunk.dropFirst()) { #expect(a < b) }
                out += chunk
            }
            return out
        }
        #expect(Set(all).count == 4000)
        #expect(all.min() == 1_700_000_000_000)
        let real = SequenceGenerator.shared.next()
        #expect(abs(real - SequenceGenerator.wallClockMilliseconds()) < 5_000)
    }
}
