import EWeLinkLAN
import Foundation
import Testing
import TestSupport

@Suite("ewelink debug")
struct DebugCommandTests {
    static let vectors: JSONValue = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/lan-vectors.json")
        return try! JSONValue.parse(Array(try! Data(contentsOf: url)))
    }()

    @Test("decrypt gives the compact JSON of vectors A and B")
    func decrypt() async throws {
        for v in Self.vectors["decrypt"]!.arrayValue! {
            let r = try await CommandRunner.run("ewelink", ["debug", "decrypt", "--devicekey", v["devicekey"]!.stringValue!,
                                                            "--iv", v["iv"]!.stringValue!, v["data"]!.stringValue!])
            #expect(r.status == 0)
            #expect(r.lines == [v["compact"]!.stringValue!])
        }
    }

    @Test("encrypt with the vectors' IVs gives G1–G4 and B")
    func encrypt() async throws {
        var cases = Self.vectors["encrypt"]!.arrayValue!
        cases.append(Self.vectors["decrypt"]!.arrayValue![1])
        for v in cases {
            let r = try await CommandRunner.run("ewelink", ["debug", "encrypt", "--devicekey", v["devicekey"]!.stringValue!,
                                                            "--iv", v["iv"]!.stringValue!, v["plaintext"]!.stringValue!])
            #expect(r.status == 0)
            #expect(r.lines == [v["data"]!.stringValue!], "vector \(v["id"]!.stringValue!)")
        }
    }

    @Test("encrypt without --iv prints ciphertext and IV that decrypt back")
    func encryptRandomIV() async throws {
        let key = "9b0810bc-557a-406c-8266-614767890531"
        let r = try await CommandRunner.run("ewelink", ["debug", "encrypt", "--devicekey", key, #"{"switch":"on"}"#])
        #expect(r.status == 0 && r.lines.count == 2)
        let back = try await CommandRunner.run("ewelink", ["debug", "decrypt", "--devicekey", key, "--iv", r.lines[1], r.lines[0]])
        #expect(back.lines == [#"{"switch":"on"}"#])
        let json = try await CommandRunner.run("ewelink", ["debug", "encrypt", "--json", "--devicekey", key, "{}"])
        let obj = try JSONValue.parse(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(obj["iv"]?.stringValue?.count == 24 && obj["data"] != nil)
    }

    @Test("decode-txt gives {id,type,seq,encrypted,state} for G5 and for a DIY record")
    func decodeTXT() async throws {
        let v = Self.vectors["txt_split"]!
        let r = try await CommandRunner.run("ewelink", [
            "debug", "decode-txt", "--devicekey", v["devicekey"]!.stringValue!, "txtvers=1", "id=1000123abc", "type=strip",
            "apivers=1", "seq=5", "encrypt=true", "iv=\(v["iv"]!.stringValue!)", "data1=\(v["data1"]!.stringValue!)",
            "data2=\(v["data2"]!.stringValue!)", "data3=\(v["data3"]!.stringValue!)",
        ])
        #expect(r.status == 0)
        let out = try JSONValue.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(out["id"] == "1000123abc" && out["type"] == "strip" && out["seq"] == 5 && out["encrypted"] == true)
        #expect(out["state"]?.objectValue?.serialized == v["plaintext"]!.stringValue!)
        #expect(out.objectValue?.keys.prefix(5) == ["id", "type", "seq", "encrypted", "state"])

        let diy = try await CommandRunner.run("ewelink", [
            "debug", "decode-txt", "id=1000806ace", "type=diy_plug", "seq=853",
            #"data1={"switch":"off","startup":"off","pulse":"off","pulseWidth":500,"rssi":-70}"#,
        ])
        let d = try JSONValue.parse(diy.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(d["encrypted"] == false && d["state"]?["rssi"] == -70)

        let nokey = try await CommandRunner.run("ewelink", [
            "debug", "decode-txt", "id=1", "type=plug", "seq=1", "encrypt=true", "iv=\(v["iv"]!.stringValue!)",
            "data1=\(v["data1"]!.stringValue!)",
        ])
        #expect(try JSONValue.parse(nokey.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["state"] == .null)
    }

    @Test("Bad input: one clear line on stderr and exit code 2", arguments: [
        ["debug", "decrypt", "--devicekey", "k", "--iv", "%%%", "abcd"],
        ["debug", "decrypt", "--devicekey", "k", "--iv", "MTIz", "ncCD9dG2ls4pmGtSQAczBQ=="],
        ["debug", "decrypt", "--devicekey", "wrong", "--iv", "MDEyMzQ1Njc4OTAxMjM0NQ==", "ncCD9dG2ls4pmGtSQAczBQ=="],
        ["debug", "decrypt", "--devicekey", "k", "--iv", "MDEyMzQ1Njc4OTAxMjM0NQ==", "not-base64!"],
        ["debug", "encrypt", "--devicekey", "k", "{not json"],
        ["debug", "encrypt", "--devicekey", "k", "--iv", "MTIz", "{}"],
        ["debug", "decode-txt", "id=1", "type=plug"],
        ["debug", "decode-txt", "garbage"],
        ["debug", "decode-txt", "id=1", "type=plug", "seq=x"],
        ["debug", "decode-txt", "--devicekey", "wrong", "id=1", "type=plug", "seq=1", "encrypt=true",
         "iv=MDEyMzQ1Njc4OTAxMjM0NQ==", "data1=ncCD9dG2ls4pmGtSQAczBQ=="],
    ])
    func badInput(arguments: [String]) async throws {
        let r = try await CommandRunner.run("ewelink", arguments)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("ewelink: ") == true)
    }
}
