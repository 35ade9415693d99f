import EWeLinkLAN
import Foundation
import Testing

@Suite("LAN crypto: protocol test vectors")
struct CryptoVectorTests {
    @Test("MD5 key derivation of the vector devicekeys")
    func keyDerivation() throws {
        for v in try Fixtures.vectors["decrypt"]!.arrayValue! {
            #expect(Digest.hex(DeviceCipher(devicekey: v.s("devicekey")).key) == v.s("md5"), "\(v.s("id"))")
        }
    }

    @Test("A and B decrypt to the expected JSON, tolerating double padding")
    func decryptVectors() throws {
        for v in try Fixtures.vectors["decrypt"]!.arrayValue! {
            let cipher = DeviceCipher(devicekey: v.s("devicekey"))
            let obj = try cipher.openJSON(base64: v.s("data"), iv: v.s("iv"))
            #expect(obj.serialized == v.s("compact"), "vector \(v.s("id"))")
        }
    }

    @Test("Vector A really is double padded: 02 02 remains after PKCS#7")
    func vectorAHasDoublePadding() throws {
        let v = try Fixtures.vectors["decrypt"]!.arrayValue![0]
        let raw = try DeviceCipher(devicekey: v.s("devicekey"))
            .open(Array(Data(base64Encoded: v.s("data"))!), iv: Array(Data(base64Encoded: v.s("iv"))!))
        #expect(raw.suffix(2) == [0x02, 0x02])
        #expect(raw.count == 48)
    }

    @Test("B encrypts back to its ciphertext with its IV")
    func vectorBEncrypt() throws {
        let v = try Fixtures.vectors["decrypt"]!.arrayValue![1]
        let sealed = try DeviceCipher(devicekey: v.s("devicekey"))
            .sealJSON(v.s("plaintext"), iv: Array(Data(base64Encoded: v.s("iv"))!))
        #expect(sealed.ciphertextBase64 == v.s("data"))
    }

    @Test("G1–G4 encrypt to the expected ciphertext and decrypt back")
    func encryptVectors() throws {
        for v in try Fixtures.vectors["encrypt"]!.arrayValue! {
            let cipher = DeviceCipher(devicekey: v.s("devicekey"))
            let iv = Array(Data(base64Encoded: v.s("iv"))!)
            let sealed = try cipher.sealJSON(v.s("plaintext"), iv: iv)
            #expect(sealed.ciphertextBase64 == v.s("data"), "vector \(v.s("id"))")
            let raw = try cipher.open(sealed.ciphertext, iv: iv)
            #expect(String(decoding: raw, as: UTF8.self) == v.s("plaintext"))
            let parsed = try cipher.openJSON(base64: v.s("data"), iv: v.s("iv"))
            #expect(parsed == (try JSONValue.parse(v.s("plaintext"))).objectValue!)
        }
    }

    @Test("G3: a 16-byte plaintext gets a whole extra padding block")
    func fullPadBlock() throws {
        let v = try Fixtures.vectors["encrypt"]!.arrayValue![2]
        let sealed = try DeviceCipher(devicekey: v.s("devicekey"))
            .sealJSON(v.s("plaintext"), iv: Array(Data(base64Encoded: v.s("iv"))!))
        #expect(sealed.ciphertext.count == 32)
    }

    @Test("G5: TXT state splits into 249/249/122 chunks and joins back")
    func txtSplit() throws {
        let v = try Fixtures.vectors["txt_split"]!
        let state = try JSONValue.parse(v.s("plaintext")).objectValue!
        #expect(state.serialized == v.s("plaintext"), "serialiser keeps key order")
        let cipher = DeviceCipher(devicekey: v.s("devicekey"))
        let ann = try TXTAnnouncement.make(deviceID: "1000123abc", type: .strip, seq: 5, state: state, cipher: cipher,
                                           iv: Array(Data(base64Encoded: v.s("iv"))!))
        let records = Dictionary(uniqueKeysWithValues: ann.records.map { ($0.key, $0.value) })
        #expect(records["data1"] == v.s("data1"))
        #expect(records["data2"] == v.s("data2"))
        #expect(records["data3"] == v.s("data3"))
        #expect(records["data4"] == nil)
        #expect(records["iv"] == v.s("iv"))
        #expect(records["encrypt"] == "true")
        // And the other direction: the vector's records decode to the plaintext.
        let parsed = try TXTAnnouncement(records: [
            "txtvers": "1", "id": "1000123abc", "type": "strip", "apivers": "1", "seq": "5", "encrypt": "true",
            "iv": v.s("iv"), "data1": v.s("data1"), "data2": v.s("data2"), "data3": v.s("data3"),
        ])
        #expect(try parsed.state(devicekey: v.s("devicekey"))?.serialized == v.s("plaintext"))
    }

    @Test("The G1 request envelope is byte-identical to the reference body")
    func requestEnvelope() throws {
        let v = try Fixtures.vectors["request_envelope"]!
        let request = try ZeroconfRequest.encrypted(
            v["params"]!.objectValue!, deviceID: v.s("deviceid"), cipher: DeviceCipher(devicekey: v.s("devicekey")),
            sequence: v.s("sequence"), selfApikey: v.s("selfApikey"), iv: Array(Data(base64Encoded: v.s("iv"))!))
        #expect(String(decoding: request.body, as: UTF8.self) == v.s("body"))
        let parsed = try ZeroconfRequest.parse(Array(v.s("body").utf8))
        #expect(parsed == request)
        #expect(try parsed.params(cipher: DeviceCipher(devicekey: v.s("devicekey"))) == v["params"]!.objectValue!)
    }
}
