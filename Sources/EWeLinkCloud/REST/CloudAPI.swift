/// The REST interfaces of the eWeLink cloud API v2: method, path and authorisation of each, the
/// one table of them (the client calls through it, the mock cloud routes through it).
package enum CloudAPI: String, Sendable, CaseIterable {
    // User
    case getRegion = "GET /v2/utils/get-region"
    case register = "POST /v2/user/register"
    case login = "POST /v2/user/login"
    case smsLogin = "POST /v2/user/sms-login"
    case verificationCode = "POST /v2/user/verification-code"
    case resetPassword = "POST /v2/user/reset-pwd"
    case changePassword = "POST /v2/user/change-pwd"
    case getProfile = "GET /v2/user/profile"
    case updateProfile = "POST /v2/user/profile"
    case refresh = "POST /v2/user/refresh"
    case logout = "DELETE /v2/user/logout"
    case closeAccount = "POST /v2/user/close-account"
    // Home page
    case homepage = "POST /v2/homepage"
    // Devices
    case thingList = "GET /v2/device/thing"
    case specifiedThings = "POST /v2/device/thing"
    case getStatus = "GET /v2/device/thing/status"
    case setStatus = "POST /v2/device/thing/status"
    case batchStatus = "POST /v2/device/thing/batch-status"
    case addDevice = "POST /v2/device/add"
    case addGSMDevice = "POST /v2/device/add-gsm"
    case updateDeviceInfo = "POST /v2/device/update-info"
    case deleteDevice = "DELETE /v2/device"
    case deviceTags = "POST /v2/device/tags"
    case getHistory = "GET /v2/device/history"
    case clearHistory = "DELETE /v2/device/history"
    case otaQuery = "POST /v2/device/ota/query"
    // Groups
    case groupList = "GET /v2/device/group"
    case addGroup = "POST /v2/device/group"
    case renameGroup = "PUT /v2/device/group"
    case deleteGroup = "DELETE /v2/device/group"
    case groupStatus = "POST /v2/device/group/status"
    case groupDevices = "POST /v2/device/group/update"
    // Sharing
    case share = "POST /v2/device/share"
    case sharePermit = "POST /v2/device/share/permit"
    case cancelShare = "DELETE /v2/device/share"
    // Homes and rooms
    case familyList = "GET /v2/family"
    case addFamily = "POST /v2/family"
    case renameFamily = "PUT /v2/family"
    case deleteFamily = "DELETE /v2/family"
    case addRoom = "POST /v2/family/room"
    case renameRoom = "PUT /v2/family/room"
    case deleteRoom = "DELETE /v2/family/room"
    case sortRooms = "POST /v2/family/room/index"
    case sortThings = "POST /v2/family/thing/sort"
    case moveThings = "POST /v2/family/room/thing"
    case switchFamily = "POST /v2/family/current"
    // Messages
    case messages = "GET /v2/message/read"

    /// `GET`, `POST`, `PUT` or `DELETE`.
    package var method: String { String(rawValue.prefix { $0 != " " }) }

    /// The path under the API host (`/v2/...`).
    package var path: String { String(rawValue.drop { $0 != " " }.dropFirst()) }

    /// How the call is authorised: `Sign` before login, `Bearer` (the access token) after.
    /// Refresh takes either; the client signs it, since the access token may be the expired part.
    package var auth: CloudClient.Auth {
        switch self {
        case .getRegion, .register, .login, .smsLogin, .verificationCode, .resetPassword, .refresh: return .sign
        default: return .bearer
        }
    }

    /// Served by the global host (`apia.coolkit.cn`) rather than a region's.
    package var isGlobal: Bool { self == .getRegion }
}
