extension StringProtocol {
    /// The text without the leading and trailing scalars `isTrimmed` picks, compared scalar by
    /// scalar as Foundation's `trimmingCharacters(in:)` does.
    /// - Parameter isTrimmed: which scalars to remove at both ends.
    package func trimming(where isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isTrimmed($0) })!
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[first...last])
        return String(kept)
    }

    /// The text without leading and trailing blanks (`trimmingCharacters(in: .whitespaces)`).
    package var trimmingBlanks: String { trimming(where: \.isBlank) }

    /// The text without leading and trailing blanks and line ends
    /// (`trimmingCharacters(in: .whitespacesAndNewlines)`).
    package var trimmingBlanksAndNewlines: String { trimming(where: { $0.isBlank || $0.isLineEnd }) }

    /// The text percent-encoded for a URL's path segment or query value: every byte of its UTF-8
    /// but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) as `%XX`.
    package var percentEncoded: String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += "%" + byte.upperHex
            }
        }
        return out
    }
}

extension Unicode.Scalar {
    /// A space or tab as Foundation's `whitespaces` counts them (CoreFoundation's list): tab, space,
    /// no-break space, U+1680, U+2000–U+200B, U+202F, U+205F and U+3000.
    package var isBlank: Bool {
        switch value {
        case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// A line end: U+000A–U+000D, U+0085 and the line and paragraph separators (what Foundation's
    /// `whitespacesAndNewlines` adds to `whitespaces`).
    package var isLineEnd: Bool {
        switch value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
