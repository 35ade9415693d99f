/// Why a zeroconf request or response body could not be read.
package enum ZeroconfCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    case notJSON(JSONParseError)
    case notAnObject
    case missingField(String)
    case invalidField(String, reason: String)
    case crypto(LANCryptoError)

    package var description: String {
        switch self {
        case .notJSON(let e): return "body is not JSON (\(e))"
        case .notAnObject: return "body is not a JSON object"
        case .missingField(let f): return "body has no '\(f)'"
        case .invalidField(let f, let why): return "'\(f)' is invalid: \(why)"
        case .crypto(let e): return e.description
        }
    }
}

/// The `data` member of an envelope, as it travelled.
package enum ZeroconfPayload: Sendable, Equatable {
    /// Base64 ciphertext; the IV is the envelope's `iv`.
    case encrypted(String)
    /// A plain JSON object (DIY).
    case object(JSONObject)
    /// A plain JSON object sent as a JSON string (some firmware and clients do this).
    case jsonString(String)

    var jsonValue: JSONValue {
        switch self {
        case .encrypted(let s), .jsonString(let s): return .string(s)
        case .object(let o): return .object(o)
        }
    }

    /// Reads `data` of an envelope: a string is ciphertext when the envelope is encrypted,
    /// otherwise a JSON text.
    static func read(_ value: JSONValue?, encrypted: Bool) throws(ZeroconfCodecError) -> ZeroconfPayload? {
        switch value {
        case nil, .null?: return nil
        case .object(let o)?: return .object(o)
        case .string(let s)?: return encrypted ? .encrypted(s) : .jsonString(s)
        default: throw .invalidField("data", reason: "neither an object nor a string")
        }
    }

    /// The plaintext object, decrypting with `cipher` and `iv` when needed.
    func open(cipher: DeviceCipher?, iv: String?) throws(ZeroconfCodecError) -> JSONObject {
        switch self {
        case .object(let o): return o
        case .jsonString(let s):
            do { return try DeviceCipher.parseTolerant(Array(s.utf8)) } catch { throw .crypto(error) }
        case .encrypted(let s):
            guard let cipher else { throw .crypto(.wrongKeyOrCorrupt) }
            do { return try cipher.openJSON(base64: s, iv: iv) } catch { throw .crypto(error) }
        }
    }
}

func parseEnvelopeObject<Bytes: Collection>(_ body: Bytes) throws(ZeroconfCodecError) -> JSONObject
where Bytes.Element == UInt8 {
    let value: JSONValue
    do { value = try JSONValue.parse(body) } catch { throw .notJSON(error) }
    guard case .object(let obj) = value else { throw .notAnObject }
    return obj
}

/// `sequence` arrives as a string from every known client, but a number is accepted too.
func readSequence(_ value: JSONValue?) throws(ZeroconfCodecError) -> String? {
    switch value {
    case nil, .null?: return nil
    case .string(let s)?: return s
    case .int(let i)?: return String(i)
    default: throw .invalidField("sequence", reason: "neither a string nor an integer")
    }
}
