#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a TXT record set could not be read.
package enum TXTRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingField(String)
    case invalidField(String, value: String, reason: String)
    /// The state could not be decrypted or parsed.
    case state(LANCryptoError)
    /// The state does not fit into `data1..data4` (4 × 249 characters).
    case stateTooLarge(characters: Int)

    package var description: String {
        switch self {
        case .missingField(let f): return "TXT record has no '\(f)'"
        case .invalidField(let f, let v, let why): return "TXT '\(f)=\(v.prefix(40))' is invalid: \(why)"
        case .state(let e): return "TXT state: \(e)"
        case .stateTooLarge(let n): return "state of \(n) characters does not fit into data1..data4 (996 max)"
        }
    }
}

/// One device announcement: the TXT record of an `_ewelink._tcp` service, typed.
package struct TXTAnnouncement: Sendable, Equatable {
    /// Characters per `dataN` chunk, and the number of chunks a device may use.
    package static let chunkSize = 249
    package static let maxChunks = 4

    package var deviceID: String
    package var type: DeviceType
    package var apiVersion: Int
    package var seq: Int
    package var txtVersion: Int?
    /// `encrypt=true` was announced.
    package var encrypted: Bool
    /// Base64 IV of the encrypted state.
    package var iv: String?
    /// `data1..data4` joined, still encoded ("" when the device published none).
    package var data: String

    package init(deviceID: String, type: DeviceType, apiVersion: Int = 1, seq: Int, txtVersion: Int? = 1,
                encrypted: Bool, iv: String?, data: String) {
        self.deviceID = deviceID
        self.type = type
        self.apiVersion = apiVersion
        self.seq = seq
        self.txtVersion = txtVersion
        self.encrypted = encrypted
        self.iv = iv
        self.data = data
    }

    /// Things a careful client should know before controlling the device: an unknown `type`
    /// or an `apivers` newer than this implementation. Reported, not fatal.
    package var warnings: [String] {
        var out: [String] = []
        if !type.isKnown { out.append("unknown device type '\(type)'") }
        if apiVersion > DeviceType.supportedAPIVersion {
            out.append("apivers \(apiVersion) is newer than the supported \(DeviceType.supportedAPIVersion)")
        }
        return out
    }

    /// Reads a TXT key/value set. Keys are matched case-sensitively as devices send them.
    package init(records: [String: String]) throws(TXTRecordError) {
        guard let id = records["id"], !id.isEmpty else { throw .missingField("id") }
        guard let type = records["type"], !type.isEmpty else { throw .missingField("type") }
        guard let seqText = records["seq"] else { throw .missingField("seq") }
        guard let seq = Int(seqText.trimmingBlanks), seq >= 0 else {
            throw .invalidField("seq", value: seqText, reason: "not a non-negative integer")
        }
        var apiVersion = 1
        if let a = records["apivers"] {
            guard let v = Int(a) else { throw .invalidField("apivers", value: a, reason: "not an integer") }
            apiVersion = v
        }
        let encrypted = records["encrypt"]?.lowercased() == "true"
        let iv = records["iv"]
        if encrypted, iv == nil { throw .missingField("iv") }
        var joined = ""
        for n in 1...Self.maxChunks { joined += records["data\(n)"] ?? "" }
        self.init(deviceID: id, type: DeviceType(rawValue: type), apiVersion: apiVersion, seq: seq,
                  txtVersion: records["txtvers"].flatMap { Int($0) }, encrypted: encrypted, iv: iv, data: joined)
    }

    /// The device state. Encrypted announcements need the devicekey: without one the state
    /// is unknown (`nil`); with a wrong one this throws.
    package func state(devicekey: String?) throws(TXTRecordError) -> JSONObject? {
        if encrypted {
            guard let devicekey else { return nil }
            return try state(cipher: DeviceCipher(devicekey: devicekey))
        }
        return try state(cipher: nil)
    }

    /// The device state, decrypted with `cipher` when the announcement is encrypted.
    package func state(cipher: DeviceCipher?) throws(TXTRecordError) -> JSONObject? {
        do {
            if encrypted {
                guard let cipher else { return nil }
                return try cipher.openJSON(base64: data, iv: iv)
            }
            return try DeviceCipher.parseTolerant(Array(data.utf8))
        } catch {
            throw .state(error)
        }
    }

    /// The TXT records in the order devices publish them:
    /// `txtvers, id, type, apivers, seq, [encrypt, iv], data1..dataN`.
    package var records: [(key: String, value: String)] {
        var out: [(String, String)] = [
            ("txtvers", String(txtVersion ?? 1)), ("id", deviceID), ("type", type.rawValue),
            ("apivers", String(apiVersion)), ("seq", String(seq)),
        ]
        if encrypted {
            out.append(("encrypt", "true"))
            out.append(("iv", iv ?? ""))
        }
        for (n, chunk) in Self.chunks(data).enumerated() { out.append(("data\(n + 1)", chunk)) }
        return out
    }

    /// Builds the announcement of `state`: encrypted with a fresh IV when a cipher is given,
    /// plain JSON (DIY) otherwise.
    package static func make(deviceID: String, type: DeviceType, seq: Int, state: JSONObject,
                            cipher: DeviceCipher?, iv: [UInt8]? = nil) throws(TXTRecordError) -> TXTAnnouncement {
        let json = JSONValue.object(state).serializedBytes
        let data: String
        var ivText: String? = nil
        if let cipher {
            do {
                let sealed = try cipher.seal(json, iv: iv)
                data = sealed.ciphertextBase64
                ivText = sealed.ivBase64
            } catch {
                throw .state(error)
            }
        } else {
            data = String(decoding: json, as: UTF8.self)
        }
        // Counted in chunks, not bytes: chunks end on character boundaries, so multi-byte text can
        // need a fifth chunk below 996 bytes, which readers (data1..data4) would never see.
        guard chunks(data).count <= maxChunks else { throw .stateTooLarge(characters: data.utf8.count) }
        return TXTAnnouncement(deviceID: deviceID, type: type, seq: seq, encrypted: cipher != nil, iv: ivText,
                               data: data)
    }

    /// Splits encoded data into 249-character chunks (at least one, possibly empty).
    /// Chunks are cut on UTF-8 character boundaries so a plain JSON chunk stays valid text.
    static func chunks(_ data: String) -> [String] {
        if data.isEmpty { return [""] }
        var out: [String] = []
        var current = ""
        var size = 0
        for ch in data {
            let n = String(ch).utf8.count
            if size + n > chunkSize {
                out.append(current)
                current = ""
                size = 0
            }
            current.append(ch)
            size += n
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
