import AsyncHTTPClient
import EWeLinkCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1
import Synchronization

/// App credentials from dev.ewelink.cc.
public struct CloudCredentials: Sendable {
    /// The developer application's id (from dev.ewelink.cc), sent with every call.
    public var appID: String
    /// The application's secret: it signs requests and is never sent or logged.
    public var appSecret: String
    /// The id and secret of one developer application.
    public init(appID: String, appSecret: String) {
        self.appID = appID
        self.appSecret = appSecret
    }
}

/// A signed REST client for the eWeLink cloud API v2: Sign/Bearer authorisation, nonces, the
/// region redirect of login, one token refresh on 401/402, and the calling rate limits.
public final class CloudClient: Sendable {
    /// How a call proves who makes it.
    public enum Auth: Sendable {
        /// An HMAC-SHA256 signature with the app secret (login, register, region lookup).
        case sign
        /// The session's access token (every call after login).
        case bearer
    }

    /// The application the calls are made for.
    public let credentials: CloudCredentials
    /// Where the calls go: the regional hosts, or one base URL that replaces them.
    public let endpoints: CloudEndpoints
    private let signer: CloudSignature
    private let limiter: CloudRateLimiter
    let sessionStore: CloudSessionStore?
    let state: Mutex<CloudSession?>
    private let failFast: Bool
    /// The one HTTP client of every call, when given; else `transport`'s for each host.
    private let http: HTTPClient?
    /// Trusted CAs and proxy of the calls and of the WebSocket.
    public let transport: CloudTransport
    /// The refresh under way, shared by every caller that found the access token refused.
    private let refreshing = Mutex<Task<Result<Void, CloudError>, Never>?>(nil)

    /// A client for one application. `session` resumes a login (nil: log in first); `sessionStore`, when
    /// given, keeps refreshed tokens; `limiter` keeps the cloud's rate limits (share one per process, or
    /// one file per store with `CloudRateLimiter(sharedThrough:)`); `failFastOnRateLimit` throws
    /// `.rateLimited` instead of waiting; `transport` says which CAs to trust and which proxy to use.
    public init(credentials: CloudCredentials, endpoints: CloudEndpoints = CloudEndpoints(),
                session: CloudSession? = nil, sessionStore: CloudSessionStore? = nil,
                limiter: CloudRateLimiter = .shared, failFastOnRateLimit: Bool = false,
                transport: CloudTransport = .environment, httpClient: HTTPClient? = nil) {
        self.credentials = credentials
        self.endpoints = endpoints
        signer = CloudSignature(appSecret: credentials.appSecret)
        self.limiter = limiter
        self.sessionStore = sessionStore
        state = Mutex(session)
        failFast = failFastOnRateLimit
        http = httpClient
        self.transport = transport
    }

    /// The HTTP client for a call to `url`: direct or through the proxy, as `NO_PROXY` says.
    private func httpClient(for url: String) -> HTTPClient {
        http ?? transport.httpClient(for: URL(string: url)?.host ?? "")
    }

    /// The current login (tokens, apikey, region), refreshed tokens included; nil before a login.
    public var session: CloudSession? { state.withLock { $0 } }

    // MARK: User

    /// Logs in with an email or a phone number (`+<country><number>`), following the `10004`
    /// redirect to the account's region. The password is used once and never stored.
    public func login(email: String? = nil, phoneNumber: String? = nil, password: String, countryCode: String,
                      region start: CloudRegion = .us) async throws(CloudError) -> CloudSession {
        var body: JSONObject = ["countryCode": .string(countryCode)]
        if let phoneNumber { body["phoneNumber"] = .string(phoneNumber) } else if let email { body["email"] = .string(email) }
        body["password"] = .string(password)
        let (data, region) = try await exchange(.POST, CloudAPI.login.path, query: [], body: body, auth: .sign,
                                                region: start, retryOnTokenProblem: false)
        return try adoptSession(data, api: .login, account: phoneNumber ?? email ?? "", region: region)
    }

    /// Trades the refresh token for new tokens. Concurrent callers share one refresh: the
    /// refresh token is single-use, so a second exchange of the same one would end the session.
    public func refresh() async throws(CloudError) {
        guard let at = session?.at else { throw .notLoggedIn }
        try await refreshOnce(replacing: at)
    }

    /// Refreshes unless the access token `stale` was already replaced (by another caller's
    /// refresh); joins a refresh already under way.
    func refreshOnce(replacing stale: String) async throws(CloudError) {
        let task = refreshing.withLock { running -> Task<Result<Void, CloudError>, Never>? in
            if let running { return running }
            guard let current = session, current.at == stale else { return nil }
            let started = Task { () -> Result<Void, CloudError> in
                defer { self.refreshing.withLock { $0 = nil } }
                do throws(CloudError) {
                    try await self.exchangeRefreshToken(current)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            running = started
            return started
        }
        guard let task else { return }
        try await task.value.get()
    }

    private func exchangeRefreshToken(_ old: CloudSession) async throws(CloudError) {
        let (data, _) = try await exchange(.POST, CloudAPI.refresh.path, query: [], body: ["rt": .string(old.rt)],
                                           auth: .sign, region: old.region, retryOnTokenProblem: false)
        guard let at = data["at"]?.stringValue, let rt = data["rt"]?.stringValue else {
            throw .invalidResponse(path: CloudAPI.refresh.path, reason: "no at/rt")
        }
        var session = old
        session.at = at
        session.rt = rt
        state.withLock { $0 = session }
        try sessionStore?.save(session)
    }

    // MARK: Things

    /// Every device of the current home, own and shared (`KeySync` walks every home).
    public func things() async throws(CloudError) -> [CloudThing] {
        try await thingItems(familyID: nil).compactMap { CloudThing(item: $0) }
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

    /// One API call; returns `data`. Bearer calls refresh the token once on 401/402; signed
    /// calls follow the `10004` region redirect.
    public func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONObject? = nil,
                     auth: Auth, region: CloudRegion? = nil, retryOnTokenProblem: Bool = true) async throws(CloudError) -> JSONValue {
        try await exchange(method, path, query: query, body: body, auth: auth, region: region,
                           retryOnTokenProblem: retryOnTokenProblem).data
    }

    /// A call and the region that answered it (the one a redirect led to).
    func exchange(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: JSONObject?, auth: Auth,
                  region: CloudRegion?, retryOnTokenProblem: Bool) async throws(CloudError) -> (data: JSONValue, region: CloudRegion) {
        let session = self.session
        do {
            return try await performFollowingRedirects(method, path, query: query, body: body, auth: auth,
                                                       region: region, session: session)
        } catch let error where error.isTokenProblem && auth == .bearer && retryOnTokenProblem {
            // Another caller may have refreshed meanwhile: then only the retry is needed.
            if let at = session?.at {
                do throws(CloudError) { try await refreshOnce(replacing: at) } catch where error.isTokenProblem {
                    throw .sessionExpired
                }
            }
            return try await performFollowingRedirects(method, path, query: query, body: body, auth: auth,
                                                       region: region, session: self.session)
        }
    }

    /// Refreshes; a refused refresh token means the session is over.
    func refreshOrExpire() async throws(CloudError) {
        do { try await refresh() } catch where error.isTokenProblem { throw .sessionExpired }
    }

    /// A signed call answered `10004` is sent again to the region the answer names (register,
    /// SMS login, codes and password resets as much as login). The region travels with the call,
    /// so concurrent calls cannot take each other's redirect.
    private func performFollowingRedirects(_ method: HTTPMethod, _ path: String, query: [(String, String)],
                                           body: JSONObject?, auth: Auth, region: CloudRegion?,
                                           session: CloudSession?) async throws(CloudError) -> (data: JSONValue, region: CloudRegion) {
        var region = region ?? session?.region ?? .us
        var visited: Set<CloudRegion> = [region]
        while true {
            let root = try await perform(method, path, query: query, body: body, auth: auth, region: region, session: session)
            if auth == .sign, let next = Self.redirectRegion(root) {
                guard visited.insert(next).inserted else { throw .regionLoop(next.rawValue) }
                region = next
                continue
            }
            return (try Self.unwrap(root, path: path), region)
        }
    }

    /// One HTTP exchange; returns the whole answer (`error`, `msg`, `data`).
    private func perform(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: JSONObject?,
                         auth: Auth, region: CloudRegion, session: CloudSession?) async throws(CloudError) -> JSONValue {
        if auth == .bearer && session == nil { throw .notLoggedIn }
        // Each region is its own server with its own calling limits.
        let interface = "\(method.rawValue) \(path)"
        let ledgerKey = "\(region.rawValue) \(interface)"
        try await limiter.acquire(ledgerKey, failFast: failFast)
        defer { limiter.finished(ledgerKey) }
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
        let response: HTTPClientResponse
        do {
            response = try await httpClient(for: url).execute(request, timeout: .seconds(15))
        } catch {
            throw await CloudError.connectionFailure(error, path: path, url: url, transport: transport)
        }
        let status = response.status.code
        let responseBody = try await Self.body(of: response, upTo: Self.maxResponseBytes, path: path)
        // The docs name no answer for a broken calling rule; an HTTP 429 is taken as that refusal.
        if status == 429 { throw .rateLimited(path: interface, retryAfterMs: limiter.spacingMilliseconds) }
        guard let root = try? JSONValue.parse(Array(responseBody.readableBytesView)), root.objectValue != nil else {
            throw .invalidResponse(path: path, reason: "not a JSON object")
        }
        return root
    }

    /// The region a `10004` answer sends the call to (`{"error":10004,"data":{"region":"eu"}}`).
    static func redirectRegion(_ root: JSONValue) -> CloudRegion? {
        guard root["error"]?.intValue == CloudErrorCode.wrongRegion.rawValue else { return nil }
        return root["data"]?["region"]?.stringValue.flatMap(CloudRegion.init(rawValue:))
    }

    /// `data` of a successful answer, or the answer's error.
    static func unwrap(_ root: JSONValue, path: String) throws(CloudError) -> JSONValue {
        let code = root["error"]?.intValue ?? 0
        guard code == 0 else { throw .api(code: code, message: root["msg"]?.stringValue ?? "", path: path) }
        return root["data"] ?? .object([:])
    }

    /// The most a REST answer may hold. The largest one asked for is a page of `thingList`: 30
    /// devices of a few KB each (params, settings, family), 100–250 KB. 2 MiB is about eight times
    /// that, and keeps a wrong `EWELINK_API_URL` or a broken proxy from making us buffer without end.
    package static let maxResponseBytes = 2 * 1024 * 1024

    /// The dispatch answer is one small object (`{"error":0,"domain":…,"port":…}`, under 200 bytes).
    static let maxDispatchBytes = 16 * 1024

    /// Reads a body up to `limit` bytes: a larger declared length fails before any of it is read,
    /// a longer body as soon as it passes the limit.
    static func body(of response: HTTPClientResponse, upTo limit: Int, path: String) async throws(CloudError) -> ByteBuffer {
        if let declared = response.headers.first(name: "content-length").flatMap({ Int($0) }), declared > limit {
            throw .responseTooLarge(path: path, limitBytes: limit)
        }
        do {
            return try await response.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw .responseTooLarge(path: path, limitBytes: limit)
        } catch {
            throw .transport(path: path, reason: CloudError.transportReason(error))
        }
    }

    static func escape(_ value: String) -> String { value.percentEncoded }
}

extension CloudClient {
    /// Asks the dispatch service where the WebSocket server is: `wss://domain:port/api/ws`
    /// (`ws://` when the API itself is plain HTTP, i.e. a mock cloud on loopback).
    package func webSocketURL() async throws(CloudError) -> String {
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
        let response: HTTPClientResponse
        do {
            response = try await httpClient(for: url).execute(request, timeout: .seconds(15))
        } catch {
            throw await CloudError.connectionFailure(error, path: "/dispatch/app", url: url, transport: transport)
        }
        let body = try await Self.body(of: response, upTo: Self.maxDispatchBytes, path: "/dispatch/app")
        guard let root = try? JSONValue.parse(Array(body.readableBytesView)) else {
            throw .invalidResponse(path: "/dispatch/app", reason: "not a JSON object")
        }
        return try Self.webSocketURL(fromDispatch: root, secure: !url.hasPrefix("http://"))
    }

    /// `wss://domain:port/api/ws` from a dispatch answer (`{"IP","port","domain","error","reason"}`);
    /// `ws://` when the API itself is plain HTTP (a mock cloud on loopback).
    static func webSocketURL(fromDispatch o: JSONValue, secure: Bool) throws(CloudError) -> String {
        guard o.objectValue != nil else { throw .invalidResponse(path: "/dispatch/app", reason: "not a JSON object") }
        guard o["error"]?.intValue == 0 || o["error"] == nil, let port = o["port"]?.intValue,
              let host = o["domain"]?.stringValue ?? o["IP"]?.stringValue else {
            throw .api(code: o["error"]?.intValue ?? -1, message: o["reason"]?.stringValue ?? "", path: "/dispatch/app")
        }
        return "\(secure ? "wss" : "ws")://\(host):\(port)/api/ws"
    }
}
