import EWeLinkCore
import Testing

@Suite("JSON")
struct JSONValueTests {
    @Test("Key order, escapes and numbers survive a round trip")
    func roundTrip() throws {
        let text = #"{"z":1,"a":[true,false,null,-2.5,1e3,"é\n\"\u0041\ud83d\ude00"],"m":{"y":0,"b":-7}}"#
        let v = try JSONValue.parse(text)
        #expect(v.objectValue?.keys == ["z", "a", "m"])
        #expect(v["a"]?.arrayValue?[5] == .string("é\n\"A😀"))
        #expect(v["a"]?.arrayValue?[4] == .double(1000))
        let again = try JSONValue.parse(v.serialized)
        #expect(again == v)
    }

    @Test("Malformed input is a typed error with an offset", arguments: [
        "", "{", "{\"a\"}", "[1,]", "tru", "\"abc", "01", "1.", "{\"a\":1}x", "\"\\x\"", "\"\u{01}\"", "\"\\ud800\"",
        String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
    ])
    func malformed(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test("Invalid UTF-8 inside a string is rejected")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }
}
