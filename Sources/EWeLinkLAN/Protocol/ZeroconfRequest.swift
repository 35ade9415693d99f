/// The body of `POST /zeroconf/<endpoint>`.
///
/// Encrypted (eWeLink mode): `sequence, deviceid, selfApikey, iv, encrypt:true, data:"<b64>"`.
/// DIY (plain): `sequence, deviceid, selfApikey, data:{…}`.
package struct ZeroconfRequest: Sendable, Equatable {
    package var sequence: String?
    package var deviceID: String?
    package var selfApikey: String?
    /// Base64 IV of an encrypted payload.
    package var iv: String?
    /// The envelope's `encrypt` member as sent (absent in most DIY requests).
    package var encryptFlag: Bool?
    package var payload: ZeroconfPayload?

    package init(sequence: String?, deviceID: String?, selfApikey: String? = "123", iv: String? = nil,
                encryptFlag: Bool? = nil, payload: ZeroconfPayload?) {
        self.sequence = sequence
        self.deviceID = deviceID
        self.selfApikey = selfApikey
        self.iv = iv
        self.encryptFlag = encryptFlag
        self.payload = payload
    }

    /// Whether the payload travelled encrypted.
    package var isEncrypted: Bool {
        if case .encrypted? = payload { return true }
        return false
    }

    /// An encrypted request for `params` (fresh IV unless given). `selfApikey` is not checked by
    /// firmware; the common clients send "123".
    package static func encrypted(_ params: JSONObject, deviceID: String, cipher: DeviceCipher,
                                 sequence: String = SequenceGenerator.shared.nextString(),
                                 selfApikey: String = "123", iv: [UInt8]? = nil) throws(LANCryptoError) -> ZeroconfRequest {
        let sealed = try cipher.seal(json: .object(params), iv: iv)
        return ZeroconfRequest(sequence: sequence, deviceID: deviceID, selfApikey: selfApikey,
                               iv: sealed.ivBase64, encryptFlag: true, payload: .encrypted(sealed.ciphertextBase64))
    }

    /// A plain (DIY) request with `data` as an object.
    package static func plain(_ params: JSONObject, deviceID: String,
                             sequence: String = SequenceGenerator.shared.nextString(),
                             selfApikey: String = "123") -> ZeroconfRequest {
        ZeroconfRequest(sequence: sequence, deviceID: deviceID, selfApikey: selfApikey, payload: .object(params))
    }

    /// The JSON object, in the order real clients send the members.
    package var json: JSONObject {
        var o = JSONObject()
        if let sequence { o["sequence"] = .string(sequence) }
        if let deviceID { o["deviceid"] = .string(deviceID) }
        if let selfApikey { o["selfApikey"] = .string(selfApikey) }
        if let iv { o["iv"] = .string(iv) }
        if let encryptFlag { o["encrypt"] = .bool(encryptFlag) }
        if let payload { o["data"] = payload.jsonValue }
        return o
    }

    /// Compact JSON bytes of the body.
    package var body: [UInt8] { JSONValue.object(json).serializedBytes }

    /// Reads a request body (the device side).
    package static func parse<Bytes: Collection>(_ body: Bytes) throws(ZeroconfCodecError) -> ZeroconfRequest
    where Bytes.Element == UInt8 {
        let o = try parseEnvelopeObject(body)
        var encryptFlag: Bool? = nil
        switch o["encrypt"] {
        case nil, .null?: break
        case .bool(let b)?: encryptFlag = b
        case .string(let s)?: encryptFlag = s.lowercased() == "true"
        default: throw .invalidField("encrypt", reason: "not a boolean")
        }
        var iv: String? = nil
        switch o["iv"] {
        case nil, .null?: break
        case .string(let s)?: iv = s
        default: throw .invalidField("iv", reason: "not a string")
        }
        let encrypted = encryptFlag == true || (encryptFlag == nil && iv != nil)
        var deviceID: String? = nil
        switch o["deviceid"] {
        case nil, .null?: break
        case .string(let s)?: deviceID = s
        default: throw .invalidField("deviceid", reason: "not a string")
        }
        return ZeroconfRequest(sequence: try readSequence(o["sequence"]), deviceID: deviceID,
                               selfApikey: o["selfApikey"]?.stringValue, iv: iv, encryptFlag: encryptFlag,
                               payload: try ZeroconfPayload.read(o["data"], encrypted: encrypted))
    }

    /// The command parameters, decrypted with `cipher` when the request is encrypted.
    /// An absent `data` reads as `{}`.
    package func params(cipher: DeviceCipher?) throws(ZeroconfCodecError) -> JSONObject {
        guard let payload else { return JSONObject() }
        return try payload.open(cipher: cipher, iv: iv)
    }
}
