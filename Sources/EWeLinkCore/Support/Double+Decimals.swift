import COpenSSL

extension Double {
    /// The number with `decimals` digits after the point, rounded as `printf("%.Nf")` rounds (the
    /// exact binary value, ties to even), right-aligned in `width` characters: what
    /// `String(format: "%W.Nf")` gave, without Foundation (and so without ICU) in the binary.
    /// - Parameters:
    ///   - decimals: digits after the decimal point (0 gives no point).
    ///   - width: the least number of characters; shorter results are padded with spaces on the left.
    package func formatted(decimals: Int, width: Int = 0) -> String {
        // C's formatter, in the C locale (never set otherwise here): always a '.' for the point.
        // Called through a typed C function, not withVaList (see ewelink_format_fixed).
        let text = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer -> String in
            let written = ewelink_format_fixed(buffer.baseAddress!, buffer.count, Int32(clamping: width),
                                               Int32(clamping: decimals), self)
            guard written >= 0, Int(written) < buffer.count else { return "\(self)" }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(written)), as: UTF8.self)
        }
        return text
    }
}

extension BinaryInteger {
    /// The number in decimal in at least `digits` characters, sign included, zeros after the sign (`%02d`).
    /// - Parameter digits: the least number of characters.
    package func zeroPadded(_ digits: Int) -> String {
        let text = String(self.magnitude)
        let sign = self < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, digits - sign.count - text.count)) + text
    }
}

extension UInt8 {
    /// Two upper-case hexadecimal digits (`%02X`).
    package var upperHex: String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(self >> 4)], digits[Int(self & 0xF)]])
    }
}
