/// IPv4 hosts to scan: `192.168.1.0/24`, `192.168.1.10-40`, `192.168.1.10-192.168.2.5` or one
/// address. For a prefix of /30 or shorter the network and broadcast addresses are left out.
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    /// The lowest address in the range, as a 32-bit number.
    public let first: UInt32
    /// The highest address in the range; below `first` for an empty range.
    public let last: UInt32
    /// The range as it was written, for messages.
    public let text: String

    /// Ranges larger than this (a /16) need `force`.
    public static let unforcedLimit = 65_536
    /// Never more than this (a /8), forced or not.
    public static let hardLimit = 1 << 24

    /// Why a text is not a range to scan.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Not a CIDR, a dash range or an IPv4 address (or a dash range that runs backwards).
        case malformed(String)
        /// More addresses than allowed; `forcible` says whether `force` would accept it.
        case tooLarge(String, hosts: Int, limit: Int, forcible: Bool)

        /// One sentence naming the text and the forms a range may take, or the limit it passed.
        public var description: String {
            switch self {
            case .malformed(let text):
                return "'\(text)' is not an address range: use a CIDR (192.168.1.0/24), a range "
                    + "(192.168.1.10-40 or 192.168.1.10-192.168.1.40) or one IPv4 address"
            case .tooLarge(let text, let hosts, let limit, let forcible):
                return "\(text) holds \(hosts) addresses, more than \(limit)"
                    + (forcible ? " unless forced" : ": split it into smaller ranges")
            }
        }
    }

    /// Parses a CIDR (`192.168.1.0/24`), a dash range (`192.168.1.10-40`, `192.168.1.10-192.168.2.5`)
    /// or one address. Ranges over `unforcedLimit` need `force`; none may pass `hardLimit`.
    public init(_ text: String, force: Bool = false) throws(Failure) {
        self.text = text
        if let slash = text.firstIndex(of: "/") {
            guard let base = Self.parse(text[..<slash]), let bits = Int(text[text.index(after: slash)...]),
                  (0...32).contains(bits) else { throw .malformed(text) }
            let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
            var low = base & mask
            var high = low | ~mask
            if bits <= 30 {
                low += 1
                high -= 1
            }
            (first, last) = (low, high)
        } else if let dash = text.firstIndex(of: "-") {
            guard let start = Self.parse(text[..<dash]) else { throw .malformed(text) }
            let tail = text[text.index(after: dash)...]
            let end: UInt32
            if let full = Self.parse(tail) {
                end = full
            } else if let octet = UInt8(tail), tail.allSatisfy(\.isASCII) {
                end = (start & 0xFFFF_FF00) | UInt32(octet)
            } else {
                throw .malformed(text)
            }
            guard end >= start else { throw .malformed(text) }
            (first, last) = (start, end)
        } else {
            guard let one = Self.parse(Substring(text)) else { throw .malformed(text) }
            (first, last) = (one, one)
        }
        let hosts = count
        if hosts > Self.hardLimit { throw .tooLarge(text, hosts: hosts, limit: Self.hardLimit, forcible: false) }
        if hosts > Self.unforcedLimit && !force {
            throw .tooLarge(text, hosts: hosts, limit: Self.unforcedLimit, forcible: true)
        }
    }

    /// How many addresses the range holds.
    public var count: Int { last >= first ? Int(last - first) + 1 : 0 }

    /// The addresses, in order, as dotted quads.
    public var hosts: [String] { (0..<count).map { Self.format(first + UInt32($0)) } }

    /// The range as it was written.
    public var description: String { text }

    static func parse(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), let octet = UInt8(p) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    static func format(_ v: UInt32) -> String { "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)" }
}
