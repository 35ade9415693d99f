import COpenSSL
import EWeLinkCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Request signing for the eWeLink cloud (API v2): `Authorization: Sign <base64 HMAC-SHA256>`
/// with the app secret as key, over the exact body bytes (POST) or the sorted query (GET).
package struct CloudSignature: Sendable {
    private let secret: [UInt8]

    package init(appSecret: String) { secret = Array(appSecret.utf8) }

    /// Standard base64 of HMAC-SHA256(appSecret, message).
    package func sign<Bytes: Collection>(_ message: Bytes) -> String where Bytes.Element == UInt8 {
        Data(Self.hmacSHA256(key: secret, message: Array(message))).base64EncodedString()
    }

    /// The signature of a POST/PUT: the exact bytes that go on the wire (serialise once, sign, send).
    package func sign(body: [UInt8]) -> String { sign(body) }

    /// The signature of a GET: parameters sorted by name and joined as `k=v&k=v` (values unescaped).
    package func sign(query: [(name: String, value: String)]) -> String {
        sign(Array(Self.canonicalQuery(query).utf8))
    }

    /// `k=v&k=v` with the parameters sorted by name.
    package static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.sorted { $0.name < $1.name }.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// The header value: `Sign <signature>`.
    package func authorization(body: [UInt8]) -> String { "Sign " + sign(body: body) }

    /// 8 random letters and digits for `X-CK-Nonce`.
    package static func nonce() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    /// HMAC-SHA256 through OpenSSL's EVP_MAC interface.
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = 0
        let ok: Bool = "SHA256".withCString { digest in
            "digest".withCString { paramName in
                guard let mac = ewelink_crypto_EVP_MAC_fetch(nil, "HMAC", nil) else { return false }
                defer { ewelink_crypto_EVP_MAC_free(mac) }
                guard let ctx = ewelink_crypto_EVP_MAC_CTX_new(mac) else { return false }
                defer { ewelink_crypto_EVP_MAC_CTX_free(ctx) }
                var params = [
                    ewelink_crypto_OSSL_PARAM_construct_utf8_string(paramName, UnsafeMutablePointer(mutating: digest), 0),
                    ewelink_crypto_OSSL_PARAM_construct_end(),
                ]
                return key.withUnsafeBufferPointer { k in
                    message.withUnsafeBufferPointer { m in
                        out.withUnsafeMutableBufferPointer { o in
                            // An empty key still needs a valid pointer.
                            var empty: UInt8 = 0
                            let keyPointer = k.baseAddress ?? withUnsafePointer(to: &empty) { $0 }
                            guard ewelink_crypto_EVP_MAC_init(ctx, keyPointer, k.count, &params) == 1,
                                  ewelink_crypto_EVP_MAC_update(ctx, m.baseAddress, m.count) == 1,
                                  ewelink_crypto_EVP_MAC_final(ctx, o.baseAddress, &length, 32) == 1 else { return false }
                            return true
                        }
                    }
                }
            }
        }
        precondition(ok && length == 32, "OpenSSL HMAC-SHA256 failed: \(Digest.cryptoProblem)")
        return out
    }
}
