/// The `error` values of zeroconf replies, with their meaning: the one table of them.
public enum LANErrorCode: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// The command was done.
    case success = 0
    /// The request was not JSON, or did not decrypt with the device's key.
    case badRequest = 400
    /// The device wants an encrypted request (eWeLink mode) and got a plain one.
    case notEncrypted = 401
    /// `ota_flash` before `ota_unlock` succeeded.
    case otaNotUnlocked = 403
    /// The request named another device id.
    case wrongDevice = 404
    /// The device could not download the firmware image in time.
    case otaDownloadTimeout = 408
    /// The firmware image is larger than the device's flash allows (508 KB).
    case firmwareTooLarge = 413
    /// The parameters or the endpoint are not ones this firmware knows.
    case invalidParameters = 422
    /// The device could not reach the URL of the firmware image.
    case firmwareUnreachable = 424
    /// The downloaded image does not match the SHA-256 digest sent with `ota_flash`.
    case firmwareDigestMismatch = 471
    /// The eWeLink service refused to unlock OTA for this device.
    case unlockRejected = 500
    /// The device could not reach the eWeLink service to unlock OTA.
    case unlockServiceUnreachable = 503

    /// What the code means, in the words a user needs.
    public var meaning: String {
        switch self {
        case .success: return "success"
        case .badRequest: return "malformed request: not JSON, or not decryptable with the device's key"
        case .notEncrypted: return "the device has encryption on but the request was not encrypted"
        case .otaNotUnlocked: return "ota_flash was sent before a successful ota_unlock"
        case .wrongDevice: return "the deviceid in the request is not this device"
        case .otaDownloadTimeout: return "the firmware download timed out"
        case .firmwareTooLarge: return "the firmware image is larger than the device accepts (508 KB)"
        case .invalidParameters: return "invalid parameters or unsupported command"
        case .firmwareUnreachable: return "the firmware URL is unreachable, missing, or does not support Range requests"
        case .firmwareDigestMismatch: return "the firmware's SHA-256 does not match sha256sum (not flashed)"
        case .unlockRejected: return "the vendor's unlock service rejected this device"
        case .unlockServiceUnreachable: return "the device could not reach the vendor's unlock service"
        }
    }

    /// `code (meaning)`, e.g. `422 (…)`, as messages show it.
    public var description: String { "\(rawValue) (\(meaning))" }

    /// The meaning of any code, including ones this table does not know.
    public static func describe(_ code: Int) -> String {
        LANErrorCode(rawValue: code)?.description ?? "\(code) (unknown error code)"
    }
}
