/// Text for a terminal from strings we do not control (TXT records, device replies, cloud names,
/// the store, arguments): every control character is shown escaped, so a hostile `id` or `type`
/// cannot clear the screen, retitle the window, or split one line (or table row) into two.
/// The CLI's text output and the hub's log lines both go through it.
package enum TerminalText {
    /// `s` with C0 and C1 control characters, DEL, and the line and bidi separators written as
    /// JSON writes them (`\u001b`), so text and JSON output show the same thing.
    package static func escaped(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            guard needsEscape(scalar) else { out.append(scalar); continue }
            let hex = String(scalar.value, radix: 16)
            out.append(contentsOf: ("\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars)
        }
        return String(out)
    }

    /// Whether `scalar` is written escaped by `escaped(_:)`.
    package static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true                    // C0, DEL, C1 (0x9B is a CSI)
        case 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true  // line/bidi
        default: return false
        }
    }
}
