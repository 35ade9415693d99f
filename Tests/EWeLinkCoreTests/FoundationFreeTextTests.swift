import EWeLinkCore
import Foundation
import Testing

/// The small replacements for Foundation's text APIs (the library modules and `ewelink` import
/// FoundationEssentials only) give what Foundation gave, checked against Foundation itself.
@Suite("Text without Foundation")
struct FoundationFreeTextTests {
    static let numbers: [Double] = [0, -0.0, 0.05, 0.15, 0.25, 0.35, 0.45, 1.25, 2.5, 9.95, 9.96, 12.345, 99.95, 123456.789,
                                    -0.04, -0.05, -1.25, 1e-9, 1e21, 0.1 + 0.2, 3.0 / 7.0, .pi, 1234567.25, 0.5, 1.5]

    @Test("formatted(decimals:width:) is String(format:) for %.Nf and %W.Nf", arguments: numbers)
    func decimals(value: Double) {
        for decimals in 0...3 {
            #expect(value.formatted(decimals: decimals) == String(format: "%.\(decimals)f", value))
        }
        #expect(value.formatted(decimals: 1, width: 7) == String(format: "%7.1f", value))
        #expect(value.formatted(decimals: 1, width: 2) == String(format: "%2.1f", value))
    }

    @Test("Infinity and NaN read as printf writes them")
    func special() {
        #expect(Double.infinity.formatted(decimals: 1) == String(format: "%.1f", Double.infinity))
        #expect(Double.nan.formatted(decimals: 1) == String(format: "%.1f", Double.nan))
    }

    @Test("zeroPadded and upperHex are %02d and %02X")
    func integers() {
        for n in [0, 5, 9, 10, 59, 123, -3, -12] { #expect(n.zeroPadded(2) == String(format: "%02d", n)) }
        for byte in [UInt8(0), 0x0A, 0x7F, 0xE9, 0xFF] { #expect(byte.upperHex == String(format: "%02X", byte)) }
    }

    @Test("Blank trimming is trimmingCharacters(in: .whitespaces / .whitespacesAndNewlines)", arguments: [
        "", " ", "  a b  ", "\ta\t", "\u{00A0}x\u{3000}", "\n a \n", "\r\n\u{2028}x\u{0085}", "\u{200B}y", "é ", " 12 ", "x", "\u{1680}a\u{180E}", "\u{202F}b\u{205F}", "\u{2000}\u{200A}c\u{200C}",
    ])
    func trimming(text: String) {
        #expect(text.trimmingBlanks == text.trimmingCharacters(in: .whitespaces))
        #expect(text.trimmingBlanksAndNewlines == text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(text.trimming(where: { $0 == "[" || $0 == "]" }) == text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
    }

    @Test("Bracket trimming is trimmingCharacters(in: \"[]\")", arguments: ["[::1]", "[[fe80::1]]", "host", "[", "]]a[["])
    func brackets(text: String) {
        #expect(text.trimming(where: { $0 == "[" || $0 == "]" }) == text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
    }

    @Test("Path parts are NSString's", arguments: [
        "/a/b", "/a/b/", "/a", "/", "a/b", "a/b/c.json", "/a//b", "./x", "/a/b//",
    ])
    func paths(path: String) {
        #expect(path.pathFolder == (path as NSString).deletingLastPathComponent)
        #expect(path.pathLastComponent == (path as NSString).lastPathComponent)
    }

    @Test("A bare name has no folder, the empty path no parts (as NSString documents; swift-corelibs-foundation traps on a bare name)")
    func bareNames() {
        #expect("a".pathFolder == "")
        #expect("a".pathLastComponent == "a")
        #expect("".pathFolder == "")
        #expect("".pathLastComponent == "")
    }

    @Test("Percent-encoding keeps RFC 3986's unreserved characters and encodes every other UTF-8 byte")
    func percent() {
        let ascii = String((32...126).map { Character(Unicode.Scalar(UInt8($0))) })
        var unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        unreserved.insert(charactersIn: "-._~")
        #expect(ascii.percentEncoded == ascii.addingPercentEncoding(withAllowedCharacters: unreserved))
        #expect("a b/é".percentEncoded == "a%20b%2F%C3%A9")
    }
}
