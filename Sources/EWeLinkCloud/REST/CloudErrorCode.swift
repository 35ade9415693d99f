/// The error codes of the eWeLink cloud API v2 with their meaning: the one table of them.
public enum CloudErrorCode: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Parameter error (missing, wrong type or wrong value).
    case parameterError = 400
    /// Access token invalid (the account logged in elsewhere).
    case tokenInvalid = 401
    /// Access token expired.
    case tokenExpired = 402
    /// Interface not found (wrong URL).
    case apiNotFound = 403
    /// Resource not found.
    case resourceNotFound = 405
    /// Access denied.
    case accessDenied = 406
    /// The APPID has no permission for this interface.
    case appIDNoPermission = 407
    /// The APPID exceeded its call limit.
    case appIDQuotaExceeded = 412
    /// Internal server error.
    case serverError = 500
    /// WebSocket `update`/`query`/`upgrade` answer: the device does not respond.
    case deviceNotResponding = 504
    /// Device control failed (offline device or bad parameters).
    case deviceControlFailed = 4002
    /// Incorrect login password.
    case wrongPassword = 10001
    /// Incorrect verification code.
    case wrongVerificationCode = 10002
    /// User does not exist.
    case userNotFound = 10003
    /// The user is not in this region.
    case wrongRegion = 10004
    /// An account already exists for this email or phone number.
    case userExists = 10009
    /// Verification codes requested too fast.
    case verificationCodeTooFast = 10010
    /// Failed to create the first home.
    case firstHomeCreationFailed = 20001
    /// More homes or rooms than the subscription allows.
    case homeOrRoomLimit = 20002
    /// The only home of an account cannot be deleted.
    case lastHomeNotDeletable = 20003
    /// Could not make the GSM device leave its temporary connection.
    case gsmDisconnectFailed = 30003
    /// The GSM device was already added by another user.
    case gsmDeviceTaken = 30007
    /// The user to share with does not exist.
    case shareUserNotFound = 30008
    /// More groups than the subscription allows.
    case groupLimit = 30009
    /// Wrong device id format.
    case badDeviceIDFormat = 30010
    /// No factory data for the device.
    case factoryDataMissing = 30011
    /// No 'extra' in the device's factory data.
    case factoryExtraMissing = 30012
    /// No brand in the device's factory data.
    case factoryBrandMissing = 30013
    /// Chipid error.
    case chipIDError = 30014
    /// Digest error while adding the device.
    case digestError = 30015
    /// Appid not found while adding the device.
    case addDeviceAppIDNotFound = 30016
    /// This appid may not add devices of this brand.
    case brandNotAllowed = 30017
    /// No device with this deviceid.
    case deviceNotFound = 30018
    /// No product model in the device's factory data.
    case productModelMissing = 30019
    /// The device is offline.
    case deviceOffline = 30022

    /// What the code means, in the words of the API document.
    public var meaning: String {
        switch self {
        case .parameterError: return "parameter error (missing, wrong type or wrong value)"
        case .tokenInvalid: return "access token invalid (the account logged in elsewhere)"
        case .tokenExpired: return "access token expired"
        case .apiNotFound: return "interface not found (wrong URL)"
        case .resourceNotFound: return "resource not found"
        case .accessDenied: return "access denied"
        case .appIDNoPermission: return "the APPID has no permission for this interface"
        case .appIDQuotaExceeded: return "the APPID exceeded its call limit"
        case .serverError: return "internal server error"
        case .deviceNotResponding: return "the device does not respond (offline or command error)"
        case .deviceControlFailed: return "device control failed (offline device or bad parameters)"
        case .wrongPassword: return "incorrect login password"
        case .wrongVerificationCode: return "incorrect verification code"
        case .userNotFound: return "user does not exist"
        case .wrongRegion: return "the user is not in this region"
        case .userExists: return "an account already exists for this email or phone number"
        case .verificationCodeTooFast: return "verification codes requested too fast"
        case .firstHomeCreationFailed: return "failed to create the first home"
        case .homeOrRoomLimit: return "more homes or rooms than the subscription allows"
        case .lastHomeNotDeletable: return "the only home of an account cannot be deleted"
        case .gsmDisconnectFailed: return "could not make the GSM device leave its temporary connection"
        case .gsmDeviceTaken: return "the GSM device was already added by another user"
        case .shareUserNotFound: return "the user to share with does not exist"
        case .groupLimit: return "more groups than the subscription allows"
        case .badDeviceIDFormat: return "wrong device id format"
        case .factoryDataMissing: return "no factory data for the device"
        case .factoryExtraMissing: return "no 'extra' in the device's factory data"
        case .factoryBrandMissing: return "no brand in the device's factory data"
        case .chipIDError: return "chipid error"
        case .digestError: return "digest error while adding the device"
        case .addDeviceAppIDNotFound: return "appid not found while adding the device"
        case .brandNotAllowed: return "this appid may not add devices of this brand"
        case .deviceNotFound: return "no device with this deviceid"
        case .productModelMissing: return "no product model in the device's factory data"
        case .deviceOffline: return "the device is offline"
        }
    }

    /// `code (meaning)`, e.g. `402 (access token expired)`, as messages show it.
    public var description: String { "\(rawValue) (\(meaning))" }

    /// The meaning of an `error` in a WebSocket reply. The socket reuses REST numbers with its
    /// own sense for two of them (a refused handshake is 406, a command outside the account's
    /// rights 403); the rest read as in REST.
    public static func webSocketMeaning(_ code: Int) -> String {
        switch code {
        case CloudErrorCode.accessDenied.rawValue: return "authentication failed"
        case CloudErrorCode.apiNotFound.rawValue: return "not allowed for this account"
        default: return CloudErrorCode(rawValue: code)?.meaning ?? ""
        }
    }

    /// `code (meaning)` for a REST `error`, and `code (unknown cloud error)` for one the table lacks.
    public static func describe(_ code: Int) -> String {
        CloudErrorCode(rawValue: code)?.description ?? "\(code) (unknown cloud error)"
    }
}
