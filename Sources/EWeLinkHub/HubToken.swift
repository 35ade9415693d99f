import Foundation

/// The bearer token of TCP clients: random enough that guessing it is hopeless.
public enum HubToken {
    /// Bits a token must carry at least, as estimated by `estimatedBits`.
    public static let minimumBits = 128.0

    /// Why `token` is too weak to guard the hub on TCP, or nil when it is strong enough: it must
    /// carry `minimumBits` (by length and the alphabet it draws from: 32 hex digits, 22 base64
    /// characters), use at least 8 different characters, and not repeat a shorter part of itself.
    public static func weakness(_ token: String) -> String? {
        let chars = Array(token.unicodeScalars)
        let advice = "make one with `openssl rand -hex 32`"
        guard Set(chars).count >= 8 else { return "it uses fewer than 8 different characters: \(advice)" }
        if let period = (1...max(1, chars.count / 2)).first(where: { p in
            p < chars.count && (p..<chars.count).allSatisfy { chars[$0] == chars[$0 - p] }
        }) {
            return "it repeats its first \(period) characters: \(advice)"
        }
        let bits = estimatedBits(token)
        guard bits >= minimumBits else {
            return "it carries about \(Int(bits)) bits, at least \(Int(minimumBits)) are needed: \(advice)"
        }
        return nil
    }

    /// Length × log2 of the alphabet the token draws from: hex digits alone count 16, else the
    /// classes used (lower case, upper case, digits, other printable ASCII, anything else).
    public static func estimatedBits(_ token: String) -> Double {
        let scalars = token.unicodeScalars
        guard !scalars.isEmpty else { return 0 }
        let isHex = scalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0) }
        var alphabet = 0
        if isHex {
            alphabet = 16
        } else {
            if scalars.contains(where: { ("a"..."z").contains($0) }) { alphabet += 26 }
            if scalars.contains(where: { ("A"..."Z").contains($0) }) { alphabet += 26 }
            if scalars.contains(where: { ("0"..."9").contains($0) }) { alphabet += 10 }
            if scalars.contains(where: { $0.isASCII && !$0.properties.isAlphabetic && !("0"..."9").contains($0) }) { alphabet += 33 }
            if scalars.contains(where: { !$0.isASCII }) { alphabet += 128 }
        }
        return Double(scalars.count) * log2(Double(alphabet))
    }
}
