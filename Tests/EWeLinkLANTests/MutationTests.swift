import EWeLinkLAN
import Foundation
import Testing
import TestSupport

@Suite("Seeded mutation of every LAN parser: typed errors, never a crash")
struct MutationTests {
    static let iterations = 5_000
    let cipher = DeviceCipher(devicekey: "9b0810bc-557a-406c-8266-614767890531")

    @Test("JSON, zeroconf responses and requests", arguments: [1 as UInt64, 2, 3])
    func envelopes(seed: UInt64) throws {
        var rng = SeededGenerator(state: seed)
        let response = try ZeroconfResponse.withState(["switch": "on", "startup": "stay"], seq: 7, sequence: "1",
                                                      cipher: cipher).body
        let request = try ZeroconfRequest.encrypted(["switches": [["switch": "on", "outlet": 1]]], deviceID: "1000abc001",
                                                    cipher: cipher).body
        let plain = ZeroconfRequest.plain(["switch": "on"], deviceID: "1000abc001").body
        var accepted = 0, rejected = 0
        for n in 0..<Self.iterations {
            let input = mutate([response, request, plain][n % 3], &rng)
            do { _ = try JSONValue.parse(input); accepted += 1 } catch { rejected += 1 }
            if let r = try? ZeroconfResponse.parse(input) { _ = try? r.state(cipher: cipher) }
            if let q = try? ZeroconfRequest.parse(input) { _ = try? q.params(cipher: cipher) }
        }
        #expect(accepted + rejected == Self.iterations)
        #expect(rejected > 0 && accepted > 0, "the mutations reach both outcomes")
    }

    @Test("TXT records: mutated values, missing keys, foreign IVs", arguments: [11 as UInt64, 12])
    func txt(seed: UInt64) throws {
        var rng = SeededGenerator(state: seed)
        let ann = try TXTAnnouncement.make(deviceID: "1000abc001", type: .strip, seq: 3,
                                           state: ["switches": [["switch": "on", "outlet": 0]], "rssi": -50], cipher: cipher)
        var decoded = 0
        for _ in 0..<Self.iterations {
            var records = Dictionary(uniqueKeysWithValues: ann.records.map { ($0.key, $0.value) })
            let key = records.keys.sorted().randomElement(using: &rng)!
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: records[key] = nil
            case 1: records[key] = String(decoding: mutate(Array(records[key]!.utf8), &rng), as: UTF8.self)
            default: records["iv"] = Data((0..<Int.random(in: 0...24, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }).base64EncodedString()
            }
            if let a = try? TXTAnnouncement(records: records), (try? a.state(cipher: cipher)) != nil { decoded += 1 }
        }
        #expect(decoded > 0)
    }

    @Test("Random bytes as ciphertext never crash the decryptor")
    func ciphertext() {
        var rng = SeededGenerator(state: 99)
        for _ in 0..<Self.iterations {
            let data = (0..<(16 * Int.random(in: 0...6, using: &rng))).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let iv = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? cipher.openJSON(base64: Data(data).base64EncodedString(), iv: Data(iv).base64EncodedString())
        }
    }
}
