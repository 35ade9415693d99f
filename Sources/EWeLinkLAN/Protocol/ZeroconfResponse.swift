/// The JSON reply of a device to `POST /zeroconf/<endpoint>` (HTTP status is 200 even for errors).
package struct ZeroconfResponse: Sendable, Equatable {
    /// The device's state revision (same counter as TXT `seq`).
    package var seq: Int?
    /// Echo of the request's `sequence`.
    package var sequence: String?
    package var error: Int
    package var encryptFlag: Bool?
    package var iv: String?
    package var payload: ZeroconfPayload?

    package init(seq: Int?, sequence: String?, error: Int, encryptFlag: Bool? = nil, iv: String? = nil,
                payload: ZeroconfPayload? = nil) {
        self.seq = seq
        self.sequence = sequence
        self.error = error
        self.encryptFlag = encryptFlag
        self.iv = iv
        self.payload = payload
    }

    /// The error code as a known case, if it is one.
    package var errorCode: LANErrorCode? { LANErrorCode(rawValue: error) }

    /// The returned state (decrypted with `cipher` when encrypted), or nil when the reply
    /// carried none.
    package func state(cipher: DeviceCipher?) throws(ZeroconfCodecError) -> JSONObject? {
        guard let payload else { return nil }
        return try payload.open(cipher: cipher, iv: iv)
    }

    /// A reply carrying `state`, encrypted with a fresh IV when `cipher` is given.
    package static func withState(_ state: JSONObject, seq: Int, sequence: String?, cipher: DeviceCipher?,
                                 error: Int = 0) throws(LANCryptoError) -> ZeroconfResponse {
        guard let cipher else {
            return ZeroconfResponse(seq: seq, sequence: sequence, error: error, payload: .object(state))
        }
        let sealed = try cipher.seal(json: .object(state))
        return ZeroconfResponse(seq: seq, sequence: sequence, error: error, encryptFlag: true, iv: sealed.ivBase64,
                                payload: .encrypted(sealed.ciphertextBase64))
    }

    /// The JSON object in the member order firmware uses: `seq, sequence, error[, encrypt, iv, data]`.
    package var json: JSONObject {
        var o = JSONObject()
        if let seq { o["seq"] = .int(seq) }
        if let sequence { o["sequence"] = .string(sequence) }
        o["error"] = .int(error)
        if let encryptFlag { o["encrypt"] = .bool(encryptFlag) }
        if let iv { o["iv"] = .string(iv) }
        if let payload { o["data"] = payload.jsonValue }
        return o
    }

    package var body: [UInt8] { JSONValue.object(json).serializedBytes }

    /// Reads a reply body (the client side).
    package static func parse<Bytes: Collection>(_ body: Bytes) throws(ZeroconfCodecError) -> ZeroconfResponse
    where Bytes.Element == UInt8 {
        let o = try parseEnvelopeObject(body)
        guard let errorValue = o["error"] else { throw .missingField("error") }
        guard let error = errorValue.intValue else { throw .invalidField("error", reason: "not an integer") }
        var seq: Int? = nil
        if let s = o["seq"], s != .null {
            guard let v = s.intValue else { throw .invalidField("seq", reason: "not an integer") }
            seq = v
        }
        let encryptFlag = o["encrypt"]?.boolValue
        let iv = o["iv"]?.stringValue
        let encrypted = encryptFlag == true || (encryptFlag == nil && iv != nil)
        return ZeroconfResponse(seq: seq, sequence: try readSequence(o["sequence"]), error: error,
                                encryptFlag: encryptFlag, iv: iv,
                                payload: try ZeroconfPayload.read(o["data"], encrypted: encrypted))
    }
}
