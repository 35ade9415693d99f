import AsyncHTTPClient
import EWeLinkLAN
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// App credentials from dev.ewelink.cc.
public struct CloudCredentials: Sendable {
    public var appID: String
    public var appSecret: String
    public init(appID: String, appSecret: String) {
        self.appID = appID
        self.appSecret = appSecret
    }
}

/// A signed REST client for the eWeLink cloud API v2: Sign/Bearer authorisation, nonces, the
/// region redirect of login, one token refresh on 401/402, and the calling rate limits.
public final class CloudClient: Sendable {
    public enum Auth: Sendable { case sign, bearer }

    public let credentials: CloudCredentials
    public let endpoints: CloudEndpoints
    private let signer: CloudSignature
    private let limiter: CloudRateLimiter
    let sessionStore: CloudSessionStore?
    let state: Mutex<CloudSession?>
    private let failFast: Bool
    private let http: HTTPClient

    public init(credentials: CloudCredentials, endpoints: CloudEndpoints = CloudEndpoints(),
                session: CloudSession? = nil, sessionStore: CloudSessionStore? = nil,
                limiter: CloudRateLimiter = .shared, failFastOnRateLimit: Bool = false,
                httpClient: HTTPClient = .shared) {
        self.credentials = credentials
        self.endpoints = endpoints
        signer = CloudSignature(appSecret: credentials.appSecret)
        self.limiter = limiter
        self.sessionStore = sessionStore
        state = Mutex(session)
        failFast = failFastOnRateLimit
        http = httpClient
    }

    public var session: CloudSession? { state.withLock { $0 } }

    // MARK: User

    /// Logs in with an email or a phone number (`+<country><number>`), following the `10004`
    /// redirect to the account's region. The password is used once and never stored.
    public func login(email: String? = nil, phoneNumber: String? = nil, password: String, countryCode: String,
                      region start: CloudRegion = .us) async throws(CloudError) -> CloudSession {
        var body: JSONObject = ["countryCode": .string(countryCode)]
        if let phoneNumber { body["phoneNumber"] = .string(phoneNumber) } else if let email { body["email"] = .string(email) }
        body["password"] = .string(password)
        var region = start
        for _ in 0..<3 {
            do throws(CloudError) {
                let data = try await call(.POST, CloudAPI.login.path, body: body, auth: .sign, region: region)
                guard let at = data["at"]?.stringValue, let rt = data["rt"]?.stringValue,
                      let apikey = data["user"]?["apikey"]?.stringValue else {
                    throw CloudError.invalidResponse(path: CloudAPI.login.path, reason: "no at/rt/user.apikey")
                }
                let actual = data["region"]?.stringValue.flatMap(CloudRegion.init(rawValue:)) ?? region
                let session = CloudSession(at: at, rt: rt, apikey: apikey, region: actual, appID: credentials.appID,
                                           account: phoneNumber ?? email ?? "")
                state.withLock { $0 = session }
                try sessionStore?.save(session)
                return session
            } catch {
                guard case .api(10004, _, _) = error, let next = redirectRegion, next != region else { throw error }
                region = next
            }
        }
        throw .regionLoop(region.rawValue)
    }

    /// The region named by the last `10004` answer (set just before it is thrown).
    private var redirectRegion: CloudRegion? { lastRedirect.withLock { $0 } }
    private let lastRedirect = Mutex<CloudRegion?>(nil)

    /// Trades the refresh token for new tokens.
    public func refresh() async throws(CloudError) {
        guard var session = session else { throw .notLoggedIn }
        let data = try await call(.POST, CloudAPI.refresh.path, body: ["rt": .string(session.rt)], auth: .sign,
                                  region: session.region, retryOnTokenProblem: false)
        guard let at = data["at"]?.stringValue, let rt = data["rt"]?.stringValue else {
            throw .invalidResponse(path: CloudAPI.refresh.path, reason: "no at/rt")
        }
        session.at = at
        session.rt = rt
        state.withLock { $0 = session }
        try sessionStore?.save(session)
    }

    // MARK: Things

    /// Every device of the account, own and shared, fetched 30 at a time.
    public func things() async throws(CloudError) -> [CloudThing] {
        var out: [CloudThing] = []
        var begin = 0
        while true {
            let data = try await call(.GET, CloudAPI.thingList.path,
                                      query: [("num", "30"), ("beginIndex", String(begin))], auth: .bearer)
            let items = data["thingList"]?.arrayValue ?? []
            out += items.compactMap(CloudThing.init(item:))
            let total = data["total"]?.intValue ?? 0
            begin += items.count
            if items.isEmpty || begin >= total { return out }
        }
    }

    /// A device's status (all params, or the named ones).
    public func status(of deviceID: String, params names: [String]? = nil) async throws(CloudError) -> JSONObject {
        var query: [(String, String)] = [("type", "1"), ("id", deviceID)]
        if let names, !names.isEmpty { query.append(("params", names.joined(separator: "|"))) }
        let data = try await call(.GET, CloudAPI.getStatus.path, query: query, auth: .bearer)
        return data["params"]?.objectValue ?? [:]
    }

    /// Sends params to a device through the cloud (REST).
    public func setStatus(of deviceID: String, params: JSONObject) async throws(CloudError) {
        _ = try await call(.POST, CloudAPI.setStatus.path,
                           body: ["type": 1, "id": .string(deviceID), "params": .object(params)], auth: .bearer)
    }

    // MARK: Transport

    /// One API call; returns `data`. Bearer calls refresh the token once on 401/402.
    public func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONObject? = nil,
                     auth: Auth, region: CloudRegion? = nil, retryOnTokenProblem: Bool = true) async throws(CloudError) -> JSONValue {
        do {
            return try await perform(method, path, query: query, body: body, auth: auth, region: region)
        } catch let error where error.isTokenProblem && auth == .bearer && retryOnTokenProblem {
            try await refreshOrExpire()
            return try await perform(method, path, query: query, body: body, auth: auth, region: region)
        }
    }

    /// Refreshes; a refused refresh token means the session is over.
    func refreshOrExpire() async throws(CloudError) {
        do { try await refresh() } catch where error.isTokenProblem { throw .sessionExpired }
    }

    private func perform(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: JSONObject?,
                         auth: Auth, region: CloudRegion?) async throws(CloudError) -> JSONValue {
        let session = self.session
        if auth == .bearer && session == nil { throw .notLoggedIn }
        let region = region ?? session?.region ?? .us
        let interface = "\(method.rawValue) \(path)"
        try await limiter.acquire(interface, failFast: failFast)
        defer { limiter.finished(interface) }
        var url = endpoints.base(for: path, region: region) + path
        if !query.isEmpty {
            url += "?" + query.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "X-CK-Appid", value: credentials.appID)
        request.headers.add(name: "X-CK-Nonce", value: CloudSignature.nonce())
        let bytes = body.map { JSONValue.object($0).serializedBytes }
        switch auth {
        case .bearer: request.headers.add(name: "Authorization", value: "Bearer \(session!.at)")
        case .sign:
            let signature = bytes.map { signer.sign(body: $0) } ?? signer.sign(query: query.map { ($0.0, $0.1) })
            request.headers.add(name: "Authorization", value: "Sign \(signature)")
        }
        if let bytes {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let responseBody: ByteBuffer
        let status: UInt
        do {
            let response = try await http.execute(request, timeout: .seconds(15))
            status = response.status.code
            responseBody = try await response.body.collect(upTo: 8 * 1024 * 1024)
        } catch {
            throw .transport(path: path, reason: CloudError.transportReason(error))
        }
        // The docs name no answer for a broken calling rule; an HTTP 429 is taken as that refusal.
        if status == 429 { throw .rateLimited(path: interface, retryAfterMs: limiter.spacingMilliseconds) }
        guard let root = try? JSONValue.parse(Array(responseBody.readableBytesView)), root.objectValue != nil else {
            throw .invalidResponse(path: path, reason: "not a JSON object")
        }
        let code = root["error"]?.intValue ?? 0
        guard code == 0 else {
            if code == 10004, let r = root["data"]?["region"]?.stringValue.flatMap(CloudRegion.init(rawValue:)) {
                lastRedirect.withLock { $0 = r }
            }
            throw .api(code: code, message: root["msg"]?.stringValue ?? "", path: path)
        }
        return root["data"] ?? .object([:])
    }

    static func escape(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

extension CloudClient {
    /// Asks the dispatch service where the WebSocket server is: `wss://domain:port/api/ws`
    /// (`ws://` when the API itself is plain HTTP, i.e. a mock cloud on loopback).
    public func webSocketURL() async throws(CloudError) -> String {
        do {
            return try await dispatchOnce()
        } catch where error.isTokenProblem {
            try await refreshOrExpire()
            return try await dispatchOnce()
        }
    }

    private func dispatchOnce() async throws(CloudError) -> String {
        guard let session else { throw .notLoggedIn }
        try await limiter.acquire("GET /dispatch/app", failFast: failFast)
        defer { limiter.finished("GET /dispatch/app") }
        let url = endpoints.dispatchURL(session.region)
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(session.at)")
        request.headers.add(name: "X-CK-Appid", value: credentials.appID)
        let body: ByteBuffer
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
            body = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw .transport(path: "/dispatch/app", reason: CloudError.transportReason(error))
        }
        guard let o = try? JSONValue.parse(Array(body.readableBytesView)).objectValue else {
            throw .invalidResponse(path: "/dispatch/app", reason: "not a JSON object")
        }
        guard o["error"]?.intValue == 0 || o["error"] == nil, let port = o["port"]?.intValue,
              let host = o["domain"]?.stringValue ?? o["IP"]?.stringValue else {
            throw .api(code: o["error"]?.intValue ?? -1, message: o["reason"]?.stringValue ?? "", path: "/dispatch/app")
        }
        let scheme = url.hasPrefix("http://") ? "ws" : "wss"
        return "\(scheme)://\(host):\(port)/api/ws"
    }
}
