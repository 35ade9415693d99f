import COpenSSL
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// AES-128-CBC with PKCS#7 padding, keyed by MD5(devicekey): the encryption of eWeLink
/// LAN payloads (TXT `data1..4`, request and response `data`).
public struct DeviceCipher: Sendable {
    /// The 16-byte AES key.
    public let key: [UInt8]

    /// Derives the key from a device's `devicekey` (the UUID-like factory key, not an apikey).
    public init(devicekey: String) {
        key = Digest.md5(Array(devicekey.utf8))
    }

    /// Uses a raw 16-byte key.
    public init(rawKey: [UInt8]) throws(LANCryptoError) {
        guard rawKey.count == 16 else { throw .invalidKeyLength(rawKey.count) }
        key = rawKey
    }

    /// A result of encryption, with the IV that was used.
    public struct Sealed: Sendable, Equatable {
        /// The 16 random bytes the data was encrypted with; the receiver needs them to decrypt.
        public let iv: [UInt8]
        /// The encrypted, padded bytes.
        public let ciphertext: [UInt8]
        /// `iv` as the protocol carries it (the `iv` member of a request, reply or TXT record).
        public var ivBase64: String { Data(iv).base64EncodedString() }
        /// `ciphertext` as the protocol carries it (`data`, or `data1…4` split in a TXT record).
        public var ciphertextBase64: String { Data(ciphertext).base64EncodedString() }
    }

    /// 16 fresh random bytes from the kernel's CSPRNG (`getrandom`, as OpenSSL's own generator
    /// seeds itself, without instantiating that generator in every one-shot process).
    package static func randomIV() throws(LANCryptoError) -> [UInt8] {
        var iv = [UInt8](repeating: 0, count: 16)
        var filled = 0
        while filled < 16 {
            let n = iv.withUnsafeMutableBytes { getrandom($0.baseAddress! + filled, 16 - filled, 0) }
            if n > 0 { filled += n } else if n < 0 && errno != EINTR { throw .openSSLFailure("getrandom") }
        }
        return iv
    }

    /// Encrypts `plaintext`; a fresh random IV is drawn unless one is given.
    public func seal<Bytes: Collection>(_ plaintext: Bytes, iv ivOverride: [UInt8]? = nil) throws(LANCryptoError) -> Sealed
    where Bytes.Element == UInt8 {
        let iv: [UInt8]
        if let given = ivOverride { iv = given } else { iv = try Self.randomIV() }
        guard iv.count == 16 else { throw .invalidIVLength(iv.count) }
        let out = try run(encrypt: true, input: Array(plaintext), iv: iv)
        return Sealed(iv: iv, ciphertext: out)
    }

    /// Decrypts and removes the PKCS#7 padding; returns the raw plaintext bytes.
    public func open(_ ciphertext: [UInt8], iv: [UInt8]) throws(LANCryptoError) -> [UInt8] {
        guard iv.count == 16 else { throw .invalidIVLength(iv.count) }
        guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
            throw .invalidCiphertextLength(ciphertext.count)
        }
        return try run(encrypt: false, input: ciphertext, iv: iv)
    }

    /// AES-128-CBC with PKCS#7 padding (added when encrypting, checked and removed when
    /// decrypting: a wrong key leaves padding that does not check, as EVP reports it).
    private func run(encrypt: Bool, input: [UInt8], iv: [UInt8]) throws(LANCryptoError) -> [UInt8] {
        var blocks = input
        if encrypt {
            let pad = 16 - input.count % 16
            blocks += [UInt8](repeating: UInt8(pad), count: pad)
        }
        var out = [UInt8](repeating: 0, count: blocks.count)
        let ok = key.withUnsafeBufferPointer { k in
            iv.withUnsafeBufferPointer { v in
                blocks.withUnsafeBufferPointer { i in
                    out.withUnsafeMutableBufferPointer { o in
                        ewelink_aes128_cbc(k.baseAddress, v.baseAddress, i.baseAddress, o.baseAddress, i.count, encrypt ? 1 : 0)
                    }
                }
            }
        }
        guard ok == 1 else { throw .openSSLFailure(encrypt ? "encrypt" : "decrypt") }
        if encrypt { return out }
        guard let last = out.last, (1...16).contains(last), out.suffix(Int(last)).allSatisfy({ $0 == last }) else {
            throw .wrongKeyOrCorrupt
        }
        return Array(out.dropLast(Int(last)))
    }
}

extension DeviceCipher {
    /// Encrypts a JSON text exactly as given (its bytes are what the device sees).
    public func sealJSON(_ json: String, iv: [UInt8]? = nil) throws(LANCryptoError) -> Sealed {
        try seal(Array(json.utf8), iv: iv)
    }

    /// Encrypts a JSON value serialised compactly.
    public func seal(json value: JSONValue, iv: [UInt8]? = nil) throws(LANCryptoError) -> Sealed {
        try seal(value.serializedBytes, iv: iv)
    }

    /// Decrypts base64 `data` with a base64 `iv` and parses the JSON object inside, tolerating
    /// the firmware quirks: empty data is `{}`, leftover bytes of a double padding are
    /// stripped, and the RF Bridge's `"="` for `":"` is repaired.
    public func openJSON(base64 data: String?, iv ivBase64: String?) throws(LANCryptoError) -> JSONObject {
        guard let data, !data.isEmpty else { return JSONObject() }
        guard let ivBase64, let iv = Data(base64Encoded: ivBase64) else { throw .invalidBase64(field: "iv") }
        guard let cipher = Data(base64Encoded: data) else { throw .invalidBase64(field: "data") }
        let plain = try open(Array(cipher), iv: Array(iv))
        return try Self.parseTolerant(plain)
    }

    /// Decrypted plaintext → JSON object, with the quirks of §2.2 of the protocol notes.
    package static func parseTolerant(_ plaintext: [UInt8]) throws(LANCryptoError) -> JSONObject {
        var bytes = plaintext[...]
        // Double padding (and other firmware leftovers): control bytes after the JSON text.
        while let last = bytes.last, last < 0x20 { bytes = bytes.dropLast() }
        if bytes.isEmpty { return JSONObject() }
        var text = Array(bytes)
        if text.starts(with: Array("{\"rf".utf8)) {
            text = Array(String(decoding: text, as: UTF8.self)
                .replacing("\"=\"", with: "\":\"").utf8)
        }
        let value: JSONValue
        do { value = try JSONValue.parse(text) } catch { throw .plaintextNotJSON(error.description) }
        guard case .object(let obj) = value else { throw .plaintextNotJSON("not an object") }
        return obj
    }
}
