import COpenSSL

/// Message digests from OpenSSL: SHA-256 through its EVP interface; MD5 through its low-level
/// function (see `ewelink_md5` in the COpenSSL shim: an EVP fetch costs a one-shot `ewelink on`
/// more than the rest of its work).
package enum Digest {
    /// MD5 of `bytes`: 16 raw bytes. Used only to derive the LAN AES key, as the firmware does.
    package static func md5<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var out = [UInt8](repeating: 0, count: 16)
        let ok = input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in ewelink_md5(i.baseAddress, i.count, o.baseAddress) }
        }
        precondition(ok == 1, "OpenSSL MD5 failed: \(Digest.cryptoProblem)")
        return out
    }

    /// SHA-256 of `bytes`: 32 raw bytes (firmware image checks).
    package static func sha256<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        digest(Array(bytes), ewelink_crypto_EVP_sha256(), length: 32)
    }

    /// Lower-case hexadecimal form of a digest.
    package static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    private static func digest(_ input: [UInt8], _ md: OpaquePointer?, length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        let ok = input.withUnsafeBytes { inBuf in
            out.withUnsafeMutableBufferPointer { outBuf in
                ewelink_crypto_EVP_Digest(inBuf.baseAddress, inBuf.count, outBuf.baseAddress, &outLength, md, nil)
            }
        }
        // EVP_Digest only fails on allocation failure or a missing algorithm: both are fatal
        // misconfigurations of the process, not input errors.
        precondition(ok == 1 && Int(outLength) == length, "OpenSSL digest failed: \(Digest.cryptoProblem)")
        return Array(out.prefix(length))
    }

    /// Why libcrypto failed: it could not be loaded (it is opened on first use), or the call itself.
    package static var cryptoProblem: String {
        ewelink_crypto_load_error().map { String(cString: $0) } ?? "libcrypto refused the call"
    }
}
