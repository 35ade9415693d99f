import EWeLinkCloud
import EWeLinkLAN
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import Synchronization

/// A mock of the eWeLink cloud REST API on loopback, as strict as the real one where it matters:
/// the app id, `Sign` signatures over the exact body (or sorted query), nonce format, content type,
/// tokens and their expiry, the login region redirect, and the calling rate limits. Its devices
/// are the simulator's devices: a cloud command changes the same state the LAN side announces.
///
/// Every region is served under its own path prefix (`/eu/v2/...`): point clients at
/// `http://127.0.0.1:PORT/{region}`. The same interfaces are served without a prefix too
/// (`http://127.0.0.1:PORT/v2/...`), as one server answering for every region (no login
/// redirect there), so any third-party client can be pointed at it.
public final class MockCloud: Sendable {
    struct Token { var account: Int; var expires: Date }

    struct State {
        var tokens: [String: Token] = [:]
        var refreshTokens: [String: Int] = [:]
        var lastCall: [String: [Date]] = [:]
        var calls = 0
        /// Calls that broke the rate limits (a real cloud would ban the IP).
        var violations = 0
        var sockets: [UUID: SocketSession] = [:]
        var userOnlines = 0
        var pings = 0
        /// Calls per interface (`GET /v2/device/thing`), every region together.
        var perInterface: [String: Int] = [:]
        var exchanges: [MockExchange] = []
        /// `query` replies without `sequence` (the document's example form).
        var omitQuerySequence = false
        /// The WebSocket host and port the dispatch answer names instead of the asked listener's.
        var dispatchPort: Int?
        var dispatchHost: String?
    }

    let fleet: CloudFleet
    let devices: [String: SimulatedDevice]
    let state = Mutex(State())
    /// Accounts, homes, groups, shares and the rest of the REST state (see `MockCloudStore`).
    let extra: Mutex<MockCloudStore>
    private let portBox = Mutex<Int>(0)
    private let task = Mutex<Task<Void, any Error>?>(nil)
    /// The HTTPS + WSS listeners (`serveTLS`), stopped with the plain one.
    let tlsListeners = Mutex<[Task<Void, any Error>]>([])

    public init(fleet: CloudFleet, devices: [SimulatedDevice]) {
        self.fleet = fleet
        self.devices = Dictionary(uniqueKeysWithValues: devices.map { ($0.id, $0) })
        extra = Mutex(MockCloudStore(fleet: fleet, devices: devices))
    }

    public var port: Int { portBox.withLock { $0 } }
    public var baseURL: String { "http://127.0.0.1:\(port)/{region}" }
    public var stats: (calls: Int, violations: Int) { state.withLock { ($0.calls, $0.violations) } }
    /// `userOnline` handshakes received (a client must not storm them).
    public var userOnlineCount: Int { state.withLock { $0.userOnlines } }
    public var openSockets: Int { state.withLock { $0.sockets.count } }

    /// Closes every WebSocket session (clients must reconnect).
    public func dropSockets() {
        let sinks = state.withLock { s -> [AsyncStream<String>.Continuation] in
            defer { s.sockets = [:] }
            return s.sockets.values.map(\.sink)
        }
        for sink in sinks { sink.finish() }
    }

    /// Answers WebSocket `query` commands without `sequence`, as the document's example does (the
    /// real service echoes it): for checking that a client still matches such replies.
    public func omitQuerySequence(_ omit: Bool) { state.withLock { $0.omitQuerySequence = omit } }
    var omitsQuerySequence: Bool { state.withLock { $0.omitQuerySequence } }

    /// Sends clients to the WebSocket at `port` (another listener, e.g. one with a bad
    /// certificate) and `host` instead of the listener and name they asked; nil restores that.
    public func dispatchWebSocket(toPort port: Int?, host: String? = nil) {
        state.withLock { s in
            s.dispatchPort = port
            s.dispatchHost = host
        }
    }

    func noteUserOnline() { state.withLock { $0.userOnlines += 1 } }
    func notePing() { state.withLock { $0.pings += 1 } }
    /// Heartbeat `ping`s received on all sessions.
    public var pingCount: Int { state.withLock { $0.pings } }
    /// How many calls reached an interface of the table (refused ones included).
    package func calls(to api: CloudAPI) -> Int { state.withLock { $0.perInterface[api.rawValue] ?? 0 } }
    func addSession(_ id: UUID, _ session: SocketSession) { state.withLock { $0.sockets[id] = session } }
    func removeSession(_ id: UUID) { _ = state.withLock { $0.sockets.removeValue(forKey: id) } }
    func account(forToken at: String) -> Int? {
        state.withLock { s in s.tokens[at].flatMap { $0.expires > Date() ? $0.account : nil } }
    }
    func sessions(for device: SimulatedDevice) -> [SocketSession] {
        state.withLock { s in
            s.sockets.values.filter { session in
                owns(session.account, device) || accounts[session.account].shared.contains(device.id)
            }
        }
    }

    /// Ends every session: access and refresh tokens are refused from now on.
    public func revokeSessions() {
        state.withLock { s in
            s.tokens = [:]
            s.refreshTokens = [:]
        }
    }

    /// Makes every access token expire now (the next Bearer call gets 402).
    public func expireTokens() {
        state.withLock { s in for k in s.tokens.keys { s.tokens[k]!.expires = .distantPast } }
    }

    public func start(port: Int) async throws {
        // The operating histories first, then the pushes, as before there were several listeners.
        observeForStore()
        for device in devices.values { device.observe { [weak self] change in self?.push(device, change) } }
        let (running, bound) = try await launch(server: http1WithWebSocket(), port: port)
        task.withLock { $0 = running }
        portBox.withLock { $0 = bound }
    }

    /// Every route of the mock, on a new router (each listener, plain or TLS, has its own).
    func makeRouter() -> Router<MockCloudContext> {
        let router = Router(context: MockCloudContext.self)
        add(router, .login, auth: .sign, interface: "login") { try await self.login($0, $1) }
        add(router, .refresh, auth: .signOrBearer, interface: "refresh", appIDAlways: true) { try await self.refresh($0, $1) }
        add(router, .thingList, auth: .bearer, interface: "thing") { try await self.thingList($0, $1) }
        add(router, .getStatus, auth: .bearer, interface: "status-get") { try await self.getStatus($0, $1) }
        add(router, .setStatus, auth: .bearer, interface: "status-set") { try await self.setStatus($0, $1) }
        add(router, .otaQuery, auth: .bearer, interface: "ota-query") { try await self.otaQuery($0, $1) }
        let dispatchGate = MockCloudGate(cloud: self, auth: .bearer, interface: "dispatch", appIDAlways: false)
        for prefix in Self.prefixes {
            router.group().add(middleware: dispatchGate).get(RouterPath(prefix + "/dispatch/app")) { request, _ in
                self.dispatch(request)
            }
        }
        registerStoreRoutes(router)
        return router
    }

    /// Runs one listener on 127.0.0.1 with every route; returns its task and the port it is bound to.
    func launch(server: HTTPServerBuilder, port: Int) async throws -> (Task<Void, any Error>, Int) {
        var logger = Logger(label: "ewelink-mock-cloud")
        logger.logLevel = .critical
        let ready = AsyncStream<Int>.makeStream()
        let app = Application(router: makeRouter(), server: server,
                              configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { channel in ready.continuation.yield(channel.localAddress?.port ?? 0) },
                              logger: logger)
        let running = Task(executorPreference: SimulatorExecutor.shared) { try await app.runService(gracefulShutdownSignals: []) }
        var bound = 0
        for await port in ready.stream {
            bound = port
            break
        }
        return (running, bound)
    }

    public func stop() async {
        let running = task.withLock { t -> Task<Void, any Error>? in defer { t = nil }; return t }
        let secure = tlsListeners.withLock { l in defer { l = [] }; return l }
        for listener in [running].compactMap({ $0 }) + secure {
            listener.cancel()
            _ = try? await listener.value
        }
    }

    // MARK: Routes

    private func login(_ request: Request, _ context: MockCloudContext) async throws -> Response {
        let body = context.body
        guard let o = try? JSONValue.parse(body).objectValue, let password = o["password"]?.stringValue,
              let countryCode = o["countryCode"]?.stringValue, countryCode.hasPrefix("+") else {
            return Self.error(.parameterError, "params incomplete")
        }
        let phone = o["phoneNumber"]?.stringValue
        let email = o["email"]?.stringValue?.lowercased()
        guard phone != nil || email != nil else { return Self.error(.parameterError, "email or phoneNumber required") }
        guard let index = accounts.firstIndex(where: { a in
            (phone != nil && a.phoneNumber == phone) || (phone == nil && email != nil && a.email == email)
        }) else { return Self.error(.userNotFound, "user does not exist") }
        let account = accounts[index]
        // A region-less base answers for every region; a region's prefix only for its own accounts.
        if let region = context.parameters.get("region"), region != account.region.rawValue {
            return Self.json(["error": .int(CloudErrorCode.wrongRegion.rawValue), "msg": "redirection",
                              "data": ["region": .string(account.region.rawValue)]])
        }
        guard password == account.password else { return Self.error(.wrongPassword, "wrong account or password") }
        // One session per account and app: a new login invalidates the previous tokens.
        state.withLock { s in
            s.tokens = s.tokens.filter { $0.value.account != index }
            s.refreshTokens = s.refreshTokens.filter { $0.value != index }
        }
        let (at, rt) = issueTokens(for: index)
        return Self.ok([
            "user": ["apikey": .string(account.apikey), "email": account.email.map(JSONValue.string) ?? .null,
                     "phoneNumber": account.phoneNumber.map(JSONValue.string) ?? .null,
                     "countryCode": .string(account.countryCode), "nickname": .string(account.nickname),
                     "accountLevel": 1],
            "at": .string(at), "rt": .string(rt), "region": .string(account.region.rawValue),
        ])
    }

    private func refresh(_ request: Request, _ context: MockCloudContext) async throws -> Response {
        let body = context.body
        guard let rt = (try? JSONValue.parse(body))?["rt"]?.stringValue else { return Self.error(.parameterError, "rt required") }
        guard let index = state.withLock({ $0.refreshTokens.removeValue(forKey: rt) }) else {
            return Self.error(.tokenInvalid, "invalid rt")
        }
        let (at, newRT) = issueTokens(for: index)
        return Self.ok(["at": .string(at), "rt": .string(newRT)])
    }

    private func thingList(_ request: Request, _ context: MockCloudContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let num = Self.queryInt(query.get("num"), default: 30), num >= 0,
              let begin = Self.queryInt(query.get("beginIndex"), default: Self.defaultBeginIndex) else {
            return Self.error(.parameterError, "num and beginIndex must be integers")
        }
        let all = Self.indexed(items(for: context.account!, family: query.get("familyid").map { String($0) }))
        return Self.ok(["thingList": .array(Self.page(all, from: begin, num: num)), "total": .int(all.count)])
    }

    /// An integer query parameter (the default when absent), nil when it is not one.
    static func queryInt(_ raw: String?, default value: Int) -> Int? {
        guard let raw else { return value }
        return Int(raw)
    }

    private func getStatus(_ request: Request, _ context: MockCloudContext) async throws -> Response {
        let query = request.uri.queryParameters
        if query.get("type") == "2" {
            return readGroupStatus(query.get("id").map { String($0) }, names: query.get("params").map { String($0) },
                                   account: context.account!)
        }
        guard query.get("type") == "1", let rawID = query.get("id") else {
            return Self.error(.parameterError, "type and id required")
        }
        let id = String(rawID)
        guard let d = accessible(id, account: context.account!) else { return Self.error(.resourceNotFound, "device not found") }
        var params = d.snapshot.params
        params["fwVersion"] = .string(d.snapshot.fwVersion)
        if let rawNames = query.get("params"), !rawNames.isEmpty {
            let names = String(rawNames)
            let wanted = Set(names.split(separator: "|").map(String.init))
            params = JSONObject(params.entries.filter { wanted.contains($0.key) }.map { ($0.key, $0.value) })
        }
        return Self.ok(["params": .object(params)])
    }

    private func setStatus(_ request: Request, _ context: MockCloudContext) async throws -> Response {
        let body = context.body
        if (try? JSONValue.parse(body))?["type"] == .int(2) { return setGroupStatus(body, account: context.account!) }
        // Numbers sent as strings are refused, as the real service does.
        guard let o = try? JSONValue.parse(body).objectValue, o["type"] == .int(1),
              let id = o["id"]?.stringValue, let params = o["params"]?.objectValue, !params.isEmpty else {
            return Self.error(.parameterError, "type, id and params required")
        }
        guard let d = accessible(id, account: context.account!) else { return Self.error(.resourceNotFound, "device not found") }
        guard d.snapshot.online, !d.snapshot.rebooting else { return Self.error(.deviceControlFailed, "device offline") }
        guard d.applyFromCloud(params) else { return Self.error(.deviceControlFailed, "the device refused the parameters") }
        return Self.ok([:])
    }

    private func otaQuery(_ request: Request, _ context: MockCloudContext) async throws -> Response {
        let body = context.body
        guard let list = (try? JSONValue.parse(body))?["deviceInfoList"]?.arrayValue, (1...30).contains(list.count) else {
            return Self.error(.parameterError, "deviceInfoList must hold 1 to 30 devices")
        }
        let index = context.account!
        var offers: [JSONValue] = []
        for item in list {
            guard let id = item["deviceid"]?.stringValue, item["model"]?.stringValue != nil,
                  let reported = item["version"]?.stringValue.flatMap(FirmwareVersion.init) else {
                return Self.error(.parameterError, "each device needs deviceid, model and version")
            }
            guard let d = accessible(id, account: index), let ota = d.config.otaAvailable,
                  let offered = ota["version"]?.stringValue, let v = FirmwareVersion(offered), v > reported else { continue }
            offers.append(["deviceid": .string(id), "version": .string(offered), "binList": ota["binList"] ?? [],
                           "type": "2", "forceTime": "0"])
        }
        return Self.ok(["otaInfoList": .array(offers)])
    }

    /// The WebSocket server is the listener the dispatch was asked on (plain or TLS), under the
    /// name the client used for it (`localhost` for a certificate made for that name; the real
    /// service answers its own domain name).
    private func dispatch(_ request: Request) -> Response {
        let (host, listenerPort) = Self.hostAndPort(request.head.authority ?? "")
        let (namedHost, namedPort) = state.withLock { ($0.dispatchHost, $0.dispatchPort) }
        return Self.json(["port": .int(namedPort ?? listenerPort ?? port), "IP": "127.0.0.1", "reason": "ok",
                          "domain": .string(namedHost ?? (host.isEmpty ? "127.0.0.1" : host)), "error": 0])
    }

    /// `host` and `port` of a Host header (`127.0.0.1:8080`, `localhost:8443`, `[::1]:80`).
    static func hostAndPort(_ authority: String) -> (String, Int?) {
        guard let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") else { return (authority, nil) }
        return (String(authority[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")),
                Int(authority[authority.index(after: colon)...]))
    }

    // MARK: Checks

    enum AuthKind { case sign, bearer, signOrBearer }

    /// Reads the body and checks headers, authorisation and rate limits; a non-nil response is the
    /// cloud's refusal. `MockCloudGate` calls it in front of every route.
    func check(_ request: Request, _ context: MockCloudContext, auth: AuthKind,
               interface: String) async throws -> ([UInt8], Response?) {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let body = Array(buffer.readableBytesView)
        let path = request.uri.path.split(separator: "/").drop { !$0.hasPrefix("v2") && $0 != "dispatch" }
        let interfaceName = "\(request.method) /" + path.joined(separator: "/")
        Self.currentExchange?.noteRequest(interface: interfaceName,
                                          query: request.uri.queryParameters.map { (String($0.key), String($0.value)) },
                                          body: body.isEmpty ? nil : try? JSONValue.parse(body))
        let limited = state.withLock { s -> Bool in
            s.calls += 1
            s.perInterface[interfaceName, default: 0] += 1
            let now = Date()
            // Each region is its own server, with its own count.
            let key = "\(context.parameters.get("region") ?? "-") \(request.method) \(interface)"
            var list = s.lastCall[key, default: []].filter { now.timeIntervalSince($0) < 300 }
            let tooSoon = list.last.map { now.timeIntervalSince($0) < 0.5 } ?? false
            let tooMany = list.count >= 300
            list.append(now)
            s.lastCall[key] = list
            if tooSoon || tooMany { s.violations += 1 }
            return tooSoon || tooMany
        }
        if limited { return (body, Self.httpError(.tooManyRequests, "request too frequent")) }
        if let region = context.parameters.get("region"), CloudRegion(rawValue: region) == nil {
            return (body, Self.error(.apiNotFound, "api not found"))
        }
        if let nonce = request.headers[.init("X-CK-Nonce")!] {
            guard nonce.count == 8, nonce.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                return (body, Self.error(.parameterError, "invalid nonce"))
            }
        }
        if request.method == .post || request.method == .put {
            let type = request.headers[.contentType]?.lowercased() ?? ""
            guard type == "application/json" || type == "application/json; charset=utf-8" else {
                return (body, Self.error(.parameterError, "content-type must be application/json"))
            }
        }
        let authorization = request.headers[.authorization] ?? ""
        if authorization.hasPrefix("Sign ") && (auth == .sign || auth == .signOrBearer) {
            guard request.headers[.init("X-CK-Appid")!] == fleet.appID else { return (body, Self.error(.appIDNoPermission, "appid is unauthorized")) }
            let signer = CloudSignature(appSecret: fleet.appSecret)
            let expected: String
            if request.method == .get {
                expected = signer.sign(query: request.uri.queryParameters.map { (String($0.key), String($0.value)) })
            } else {
                expected = signer.sign(body: body)
            }
            guard String(authorization.dropFirst(5)) == expected else { return (body, Self.error(.tokenInvalid, "sign verification failed")) }
            return (body, nil)
        }
        if authorization.hasPrefix("Bearer ") && (auth == .bearer || auth == .signOrBearer) {
            let at = String(authorization.dropFirst(7))
            guard let token = state.withLock({ $0.tokens[at] }) else { return (body, Self.error(.tokenInvalid, "token invalid")) }
            guard token.expires > Date() else { return (body, Self.error(.tokenExpired, "token expired")) }
            return (body, nil)
        }
        return (body, Self.error(.tokenInvalid, "authorization required"))
    }

    func bearerAccount(_ request: Request) -> Int? {
        let at = String((request.headers[.authorization] ?? "").dropFirst(7))
        return state.withLock { $0.tokens[at]?.account }
    }

    func accessible(_ id: String, account index: Int) -> SimulatedDevice? {
        guard let d = devices[id] else { return nil }
        return extra.withLock { $0.canSee(id, index) } ? d : nil
    }

    /// Whether an account owns a device (at start: listed in its `devices`, or carrying its apikey).
    func owns(_ index: Int, _ d: SimulatedDevice) -> Bool {
        extra.withLock { $0.owner[d.id] == index }
    }

    /// The apikey the cloud reports for a device: its owner's.
    func ownerApikey(_ d: SimulatedDevice) -> String {
        extra.withLock { s in s.owner[d.id].map { s.accounts[$0].apikey } } ?? d.config.apikey
    }

    func issueTokens(for account: Int) -> (String, String) {
        let at = Digest.hex(Digest.sha256(Array(UUID().uuidString.utf8)))
        let rt = Digest.hex(Digest.sha256(Array(UUID().uuidString.utf8)))
        let expires = Date().addingTimeInterval(TimeInterval(fleet.tokenLifetimeSeconds))
        state.withLock { s in
            s.tokens[at] = Token(account: account, expires: expires)
            s.refreshTokens[rt] = account
        }
        return (at, rt)
    }

    func thing(_ d: SimulatedDevice, itemType: Int, owner: CloudFleet.Account?) -> JSONValue {
        let s = d.snapshot
        var params = s.params
        params["fwVersion"] = .string(s.fwVersion)
        // Factory data as the real list carries it (every field the document marks non-empty).
        let mac = Self.macAddress(of: d.id)
        let extra: JSONObject = [
            "uiid": .int(d.config.uiid), "model": .string(d.config.model), "ui": .string(d.config.type.rawValue),
            "description": "simulated", "manufacturer": "CoolKit", "mac": .string(mac), "apmac": .string(mac),
            "modelInfo": .string(String(Digest.hex(Digest.sha256(Array(d.config.model.utf8))).prefix(24))),
            "brandId": "5c4c1aee3a7d24c7100be054",
            // Not in the document's table, but in the real list (third-party clients read it).
            "chipid": .string(String(Digest.hex(Digest.sha256(Array(d.id.utf8))).prefix(8))),
        ]
        var data: JSONObject = [
            "name": .string(d.config.name), "deviceid": .string(d.id), "apikey": .string(ownerApikey(d)),
            "extra": .object(extra), "brandName": "SONOFF", "brandLogo": "https://127.0.0.1/brand/sonoff.png",
            "showBrand": true, "productModel": .string(d.config.model), "online": .bool(s.online),
            "params": .object(params),
        ]
        // DIY devices have no key; the cloud list still carries the field.
        data["devicekey"] = d.config.devicekey.map(JSONValue.string) ?? ""
        if let owner {
            data["sharedBy"] = ["apikey": .string(owner.apikey), "email": owner.email.map(JSONValue.string) ?? .null,
                                "permit": 15]
        }
        return ["itemType": .int(itemType), "itemData": .object(data)]
    }

    /// A stable, locally administered MAC address for a simulated device.
    static func macAddress(of id: String) -> String {
        let bytes = [0x02] + Digest.sha256(Array(id.utf8)).prefix(5)
        return bytes.map { String(format: "%02x", $0) }.joined(separator: ":")
    }

    // MARK: Exchanges

    /// The exchange the current request belongs to (set around each route's handler).
    @TaskLocal static var currentExchange: ExchangeRecorder?

    /// Runs a route's handler and keeps what was asked and answered (for conformance checks).
    func recorded(_ handler: () async throws -> Response) async throws -> Response {
        let recorder = ExchangeRecorder()
        let response = try await Self.$currentExchange.withValue(recorder) { try await handler() }
        if let exchange = recorder.exchange {
            state.withLock { s in
                s.exchanges.append(exchange)
                if s.exchanges.count > 1000 { s.exchanges.removeFirst() }
            }
        }
        return response
    }

    /// The last 1,000 REST exchanges, oldest first.
    public var exchanges: [MockExchange] { state.withLock { $0.exchanges } }

    // MARK: Responses

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        currentExchange?.noteResponse(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: value.serializedBytes)))
    }
    static func ok(_ data: JSONObject) -> Response { json(["error": 0, "msg": "", "data": .object(data)]) }
    /// A refusal with a code of the one error table.
    static func error(_ code: CloudErrorCode, _ message: String) -> Response {
        json(["error": .int(code.rawValue), "msg": .string(message), "data": [:]])
    }
    static func httpError(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(["error": .int(Int(status.code)), "msg": .string(message), "data": [:]], status: status)
    }
}
