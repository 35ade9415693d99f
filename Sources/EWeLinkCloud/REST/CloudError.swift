/// Why a cloud call failed: what happened and what is missing (the text names no command or
/// option of a front end; the CLI adds its own advice).
public enum CloudError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The cloud answered with an error code.
    case api(code: Int, message: String, path: String)
    /// No session: log in first.
    case notLoggedIn
    /// The access token was refused and the refresh token too (expired, or a login elsewhere).
    case sessionExpired
    /// App credentials are missing.
    case missingAppCredentials
    /// A call would break the cloud's rate limits and fail-fast was asked for, or the cloud refused
    /// a call for breaking them (HTTP 429).
    case rateLimited(path: String, retryAfterMs: Int)
    /// The login kept being redirected between regions.
    case regionLoop(String)
    /// The cloud could not be reached or the connection broke (refused, reset, timed out, no
    /// route); `reason` says which in a few words.
    case transport(path: String, reason: String)
    /// The server was reached but no trusted TLS session came of it: `reason` is one sentence
    /// saying what is wrong with the certificate (not trusted, expired, for another host) or the
    /// address (TLS to a plain port, plain HTTP to a TLS port), and what to check.
    case tls(path: String, reason: String)
    /// The TLS or proxy settings cannot be used (an unreadable CA file).
    case settings(String)
    /// The answer is not what the API document describes (not JSON, a member missing).
    case invalidResponse(path: String, reason: String)
    /// The answer's body passed `limitBytes` (`CloudClient.maxResponseBytes`; 16 KB for the
    /// dispatch): not the eWeLink cloud, or a broken proxy. Nothing of it was used.
    case responseTooLarge(path: String, limitBytes: Int)
    /// The session file could not be read or written (its folder not the user's own, corrupt, a
    /// full disk).
    case tokenStore(String)
    /// The cloud says the device does not respond (WebSocket error 504: offline, or it did not
    /// take the command).
    case deviceOffline(deviceID: String, path: String)

    /// One sentence naming the call, what failed, and what is missing.
    public var description: String {
        switch self {
        case .api(let code, let message, let path):
            let text = CloudErrorCode.describe(code)
            return "cloud error \(text) on \(path)" + (message.isEmpty ? "" : ": \(message)")
        case .notLoggedIn: return "not logged in to the eWeLink cloud"
        case .sessionExpired:
            return "the cloud session ended (token expired, or the account logged in elsewhere with this app id): "
                + "log in again"
        case .missingAppCredentials:
            return "no eWeLink app credentials: the cloud needs an app id and its secret (from the eWeLink developer site)"
        case .rateLimited(let path, let ms):
            return "calling \(path) now would break the cloud's rate limit; retry in \(ms) ms"
        case .regionLoop(let region): return "the cloud kept redirecting the login (last region \(region))"
        case .transport(let path, let reason): return "cannot reach the eWeLink cloud for \(path): \(reason)"
        case .tls(let path, let reason): return "no trusted connection to the eWeLink cloud for \(path): \(reason)"
        case .settings(let why): return "cloud connection settings: \(why)"
        case .invalidResponse(let path, let reason): return "unexpected answer from the cloud for \(path): \(reason)"
        case .responseTooLarge(let path, let limit):
            return "answer too large from the cloud for \(path): over \(limit / 1024) KB; check the API base URL or the proxy"
        case .tokenStore(let why): return "session file: \(why)"
        case .deviceOffline(let id, let path):
            return "the cloud says \(id) does not respond on \(path) (offline, or it did not take the command)"
        }
    }

    /// A failure that trying again will not mend: the certificate or the address is wrong, or
    /// the settings are (a waiting caller is told at once instead of after its timeout).
    public var isLasting: Bool {
        switch self {
        case .tls, .settings, .notLoggedIn, .sessionExpired, .missingAppCredentials: return true
        default: return false
        }
    }

    /// The access token is no longer accepted (refresh with `rt`, then log in again).
    public var isTokenProblem: Bool {
        if case .api(let code, _, _) = self { return code == 401 || code == 402 }
        return false
    }
}
