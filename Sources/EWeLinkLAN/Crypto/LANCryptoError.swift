/// Why a LAN payload could not be encrypted or decrypted.
public enum LANCryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A field that must be standard base64 is not.
    case invalidBase64(field: String)
    /// The IV does not decode to 16 bytes (seen from some firmware and from copied test code).
    case invalidIVLength(Int)
    /// The ciphertext is empty or not a whole number of 16-byte blocks.
    case invalidCiphertextLength(Int)
    /// Padding or content did not check out: almost always the wrong devicekey.
    case wrongKeyOrCorrupt
    /// The decrypted bytes are not a JSON object.
    case plaintextNotJSON(String)
    /// The AES key must be 16 bytes.
    case invalidKeyLength(Int)
    /// OpenSSL could not produce random bytes or run the cipher.
    case openSSLFailure(String)

    /// One sentence saying what failed (never the key or the plaintext).
    public var description: String {
        switch self {
        case .invalidBase64(let field): return "\(field) is not valid base64"
        case .invalidIVLength(let n): return "the IV must decode to 16 bytes, got \(n)"
        case .invalidCiphertextLength(let n):
            return "ciphertext of \(n) bytes is not a whole number of 16-byte AES blocks"
        case .wrongKeyOrCorrupt: return "decryption failed: wrong devicekey or corrupted data"
        case .plaintextNotJSON(let why):
            return "decrypted data is not a JSON object (\(why)): wrong devicekey or corrupted data"
        case .invalidKeyLength(let n): return "the AES key must be 16 bytes, got \(n)"
        case .openSSLFailure(let what): return "OpenSSL failure: \(what)"
        }
    }
}
