/// The error codes of the eWeLink cloud API v2 with their meaning: the one table of them.
public enum CloudErrorCode: Int, Sendable, CaseIterable, CustomStringConvertible {
    case parameterError = 400
    case tokenInvalid = 401
    case tokenExpired = 402
    case apiNotFound = 403
    case resourceNotFound = 405
    case accessDenied = 406
    case appIDNoPermission = 407
    case appIDQuotaExceeded = 412
    case serverError = 500
    /// WebSocket `update`/`query`/`upgrade` answer: the device does not respond.
    case deviceNotResponding = 504
    case deviceControlFailed = 4002
    case wrongPassword = 10001
    case wrongVerificationCode = 10002
    case userNotFound = 10003
    case wrongRegion = 10004
    case userExists = 10009
    case verificationCodeTooFast = 10010
    case firstHomeCreationFailed = 20001
    case homeOrRoomLimit = 20002
    case lastHomeNotDeletable = 20003
    case gsmDisconnectFailed = 30003
    case gsmDeviceTaken = 30007
    case shareUserNotFound = 30008
    case groupLimit = 30009
    case badDeviceIDFormat = 30010
    case factoryDataMissing = 30011
    case factoryExtraMissing = 30012
    case factoryBrandMissing = 30013
    case chipIDError = 30014
    case digestError = 30015
    case addDeviceAppIDNotFound = 30016
    case brandNotAllowed = 30017
    case deviceNotFound = 30018
    case productModelMissing = 30019
    case deviceOffline = 30022

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

    public static func describe(_ code: Int) -> String {
        CloudErrorCode(rawValue: code)?.description ?? "\(code) (unknown cloud error)"
    }
}
