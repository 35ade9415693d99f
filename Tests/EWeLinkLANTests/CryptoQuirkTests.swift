import EWeLinkLAN
import Foundation
import Testing

@Suite("LAN crypto: firmware quirks and bad input")
struct CryptoQuirkTests {
    let cipher = DeviceCipher(devicekey: "9b0810bc-557a-406c-8266-614767890531")

    @Test("Empty or absent data reads as {}")
    func emptyData() throws {
        #expect(try cipher.openJSON(base64: "", iv: nil).isEmpty)
        #expect(try cipher.openJSON(base64: nil, iv: "whatever").isEmpty)
    }

    @Test("RF Bridge '\"=\"' bug is repaired")
    func rfBug() throws {
        // Only the quoted form "=" is rewritten, as the firmware bug produces it.
        let buggy = #"{"rf"="on","rfChl":0}"#
        let sealed = try cipher.sealJSON(buggy)
        let obj = try cipher.openJSON(base64: sealed.ciphertextBase64, iv: sealed.ivBase64)
        #expect(obj["rf"] == "on")
        #expect(obj["rfChl"] == 0)
    }

    @Test("Trailing control bytes after the JSON are stripped")
    func trailingControlBytes() throws {
        let sealed = try cipher.seal(Array(#"{"switch":"on"}"#.utf8) + [0x02, 0x02, 0x01])
        #expect(try cipher.openJSON(base64: sealed.ciphertextBase64, iv: sealed.ivBase64) == ["switch": "on"])
    }

    @Test("A wrong-length IV is a typed error, never a crash", arguments: [0, 8, 12, 15, 17, 32])
    func wrongIVLength(length: Int) throws {
        let sealed = try cipher.sealJSON(#"{"switch":"on"}"#)
        let iv = Data(repeating: 0x31, count: length).base64EncodedString()
        if length == 0 {
            #expect(throws: LANCryptoError.invalidIVLength(0)) {
                try cipher.openJSON(base64: sealed.ciphertextBase64, iv: iv)
            }
        } else {
            #expect(throws: LANCryptoError.invalidIVLength(length)) {
                try cipher.openJSON(base64: sealed.ciphertextBase64, iv: iv)
            }
        }
        #expect(throws: LANCryptoError.invalidIVLength(length)) {
            try cipher.seal([1, 2, 3], iv: [UInt8](repeating: 0, count: length))
        }
    }

    @Test("The NEXT-library IV '0000000000000000' (12 bytes as base64) is rejected")
    func nextLibraryIV() throws {
        #expect(throws: LANCryptoError.invalidIVLength(12)) {
            try cipher.openJSON(base64: "ncCD9dG2ls4pmGtSQAczBQ==", iv: "0000000000000000")
        }
    }

    @Test("A wrong key is a typed error")
    func wrongKey() throws {
        let other = DeviceCipher(devicekey: "64271b79-89f6-4d18-8318-7d751faacd13")
        var failures = 0
        for _ in 0..<50 {
            let sealed = try cipher.sealJSON(#"{"switch":"on","startup":"stay"}"#)
            do {
                _ = try other.openJSON(base64: sealed.ciphertextBase64, iv: sealed.ivBase64)
            } catch LANCryptoError.wrongKeyOrCorrupt, LANCryptoError.plaintextNotJSON {
                failures += 1
            }
        }
        #expect(failures == 50)
    }

    @Test("Bad base64 and bad ciphertext lengths are typed errors")
    func badEncodings() {
        #expect(throws: LANCryptoError.invalidBase64(field: "data")) {
            try cipher.openJSON(base64: "not base64!!", iv: "MDEyMzQ1Njc4OTAxMjM0NQ==")
        }
        #expect(throws: LANCryptoError.invalidBase64(field: "iv")) {
            try cipher.openJSON(base64: "ncCD9dG2ls4pmGtSQAczBQ==", iv: "%%%")
        }
        #expect(throws: LANCryptoError.invalidCiphertextLength(5)) {
            try cipher.openJSON(base64: Data([1, 2, 3, 4, 5]).base64EncodedString(), iv: "MDEyMzQ1Njc4OTAxMjM0NQ==")
        }
    }

    @Test("Random IVs: every round trip returns the plaintext, and IVs differ")
    func randomRoundTrips() throws {
        var ivs = Set<[UInt8]>()
        var rng = SystemRandomNumberGenerator()
        for n in 0..<300 {
            let state: JSONValue = [
                "switch": n % 2 == 0 ? "on" : "off", "n": .int(n),
                "pad": .string(String(repeating: "x", count: Int.random(in: 0...70, using: &rng))),
            ]
            let sealed = try cipher.seal(json: state)
            ivs.insert(sealed.iv)
            #expect(try cipher.openJSON(base64: sealed.ciphertextBase64, iv: sealed.ivBase64) == state.objectValue!)
        }
        #expect(ivs.count == 300)
    }
}
