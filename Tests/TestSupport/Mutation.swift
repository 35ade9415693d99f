import Foundation

/// A small deterministic generator so a failure can be replayed from its seed.
public struct SeededGenerator: RandomNumberGenerator {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Byte-level mutations of valid inputs: flips, deletions, insertions, truncations, splices.
public func mutate(_ input: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
    var b = input
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0 where !b.isEmpty: b[Int.random(in: 0..<b.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
        case 1 where !b.isEmpty: b.remove(at: Int.random(in: 0..<b.count, using: &rng))
        case 2:
            let tokens: [[UInt8]] = [Array("{".utf8), Array("}".utf8), Array("\"".utf8), Array("\\u00".utf8),
                                     Array("[".utf8), Array(",".utf8), Array("null".utf8), [0], [0xFF], Array("=".utf8)]
            b.insert(contentsOf: tokens.randomElement(using: &rng)!, at: Int.random(in: 0...b.count, using: &rng))
        case 3 where !b.isEmpty: b = Array(b.prefix(Int.random(in: 0..<b.count, using: &rng)))
        case 4 where b.count > 2:
            let i = Int.random(in: 0..<b.count, using: &rng)
            b.insert(contentsOf: b[i..<min(b.count, i + 8)], at: Int.random(in: 0...b.count, using: &rng))
        default: b.append(UInt8.random(in: 0...255, using: &rng))
        }
    }
    return b
}

