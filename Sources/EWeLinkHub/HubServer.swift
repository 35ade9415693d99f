import EWeLink
import EWeLinkHubClient
import EWeLinkLAN
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// The hub's HTTP API (openapi.yaml beside this file) over its Unix socket and, when asked, TCP.
public enum HubServer {
    /// Serves `hub` until SIGTERM or SIGINT: then the event streams end, the commands in flight are
    /// answered, the cloud session is closed, and the socket file removed.
    public static func run(_ hub: Hub, logger: Logger, onListening: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let options = hub.options
        var services: [any Service] = []
        var http1 = HTTP1Channel.Configuration()
        http1.idleTimeout = .nanoseconds(Int64(options.idleTimeout.inSeconds * 1e9))
        // A client that leaves mid-command gives its slot back at once.
        let departures = ClientDepartures()
        http1.additionalChannelHandlers = { [ClientDepartures.Installer(departures)] }
        let socketPath = options.socketPath
        services.append(Application(
            router: makeRouter(hub, tcp: nil, departures: departures),
            server: .http1(configuration: http1),
            configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: nil, backlog: 1024,
                                 availableConnectionsDelegate: MaximumAvailableConnections(options.maxConnections)),
            onServerRunning: { _ in
                // Owner only, whatever the umask was (the folder was checked before binding).
                chmod(socketPath, 0o600)
                onListening("unix:" + socketPath)
            },
            logger: logger))
        if let tcp = options.listen {
            // Connections that have not shown the token: a short deadline and a per-address cap.
            let gate = ConnectionGate(perAddress: options.maxUnauthenticatedPerAddress,
                                      deadline: .nanoseconds(Int64(options.authenticationDeadline.inSeconds * 1e9)))
            var tcpHTTP1 = http1
            tcpHTTP1.additionalChannelHandlers = { [ClientDepartures.Installer(departures), ConnectionGate.Handler(gate)] }
            let guards = TCPGuards(token: options.token ?? "", allowedHosts: HostCheck(listenHost: tcp.host, allowed: options.allowedHosts),
                                   gate: gate, failures: FailedAttempts())
            services.append(Application(
                router: makeRouter(hub, tcp: guards, departures: departures),
                server: .http1(configuration: tcpHTTP1),
                configuration: .init(address: .hostname(tcp.host, port: tcp.port), serverName: nil, backlog: 1024,
                                     availableConnectionsDelegate: MaximumAvailableConnections(options.maxConnections)),
                onServerRunning: { channel in onListening("tcp:\(channel.localAddress.map { "\($0)" } ?? "\(tcp.host):\(tcp.port)")") },
                logger: logger))
        }
        if let mqtt = options.mqtt {
            services.append(MQTTService(bridge: try MQTTBridge(hub: hub, options: mqtt, logger: logger)))
        }
        // Shut down last-to-first: the hub's streams end before the servers wait for their requests.
        services.append(HubLifecycle(hub: hub))
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        defer { unlink(socketPath) }
        try await group.run()
        await hub.stopCloud()
        logger.info("hub stopped")
    }

    /// Starts the hub's event flow, and ends its streams when shutdown begins.
    struct HubLifecycle: Service {
        let hub: Hub
        func run() async throws {
            hub.start()
            try? await gracefulShutdown()
            hub.stopEvents()
        }
    }

    /// Runs the MQTT bridge; on shutdown it says `offline` and disconnects.
    struct MQTTService: Service {
        let bridge: MQTTBridge
        func run() async throws {
            let bridge = self.bridge
            await withGracefulShutdownHandler {
                await bridge.run()
            } onGracefulShutdown: {
                bridge.stop()
            }
        }
    }

    // MARK: Routes

    /// The routes; over TCP (`tcp` given) behind the Host check and the bearer token. Commands and
    /// status reads end when their client leaves (`departures`).
    static func makeRouter(_ hub: Hub, tcp: TCPGuards?, departures: ClientDepartures) -> Hummingbird.Router<HubRequestContext> {
        let router = Hummingbird.Router(context: HubRequestContext.self)
        router.add(middleware: FailureMiddleware())
        if let tcp { router.add(middleware: BearerTokenMiddleware(guards: tcp)) }

        router.get("/health") { _, _ -> Response in
            let devices = (try? hub.lan.directory.devices().count) ?? 0
            return json(.object([
                "status": "ok", "version": .string(EWeLinkVersion.current), "pid": .int(Int(getpid())),
                "uptimeSeconds": .double((hub.uptime.inSeconds * 1000).rounded() / 1000), "devices": .int(devices),
                "cloud": .string(hub.cloudState), "eventClients": .int(hub.fanout.count),
                "commandsInFlight": .int(hub.commandsInFlight), "store": .string(hub.lan.directory.store.path),
            ]))
        }
        router.get("/devices") { _, _ -> Response in
            json(.array(try hub.devices().map(JSONValue.object)))
        }
        router.get("/devices/:id") { _, context -> Response in
            json(.object(try await hub.device(try deviceParameter(context))))
        }
        router.get("/devices/:id/status") { request, context -> Response in
            let query = request.uri.queryParameters
            let (id, wanted, policy) = (try deviceParameter(context), try channel(query), try via(query))
            return json(.object(try await departures.run(on: context.channel) {
                try await hub.status(of: id, channel: wanted, via: policy)
            }))
        }
        for action in [PowerAction.on, .off, .toggle] {
            router.post("/devices/:id/\(action.rawValue)") { request, context -> Response in
                let query = request.uri.queryParameters
                let (id, wanted, policy) = (try deviceParameter(context), try channel(query), try via(query))
                let result = try await departures.run(on: context.channel) {
                    try await hub.power(action, id, channel: wanted, via: policy)
                }
                return json(.object(result.json))
            }
        }
        router.post("/devices/:id/send") { request, context -> Response in
            let query = request.uri.queryParameters
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: hub.options.maxBodyBytes) } catch {
                throw HubError(HubFailure(message: "the params are larger than \(hub.options.maxBodyBytes) bytes",
                                          exitCode: ExitStatus.badInput), status: 413)
            }
            let params: JSONObject
            do {
                guard let object = try JSONValue.parse(Array(buffer: body)).objectValue else {
                    throw HubError.badInput("params must be a JSON object")
                }
                params = object
            } catch let error as JSONParseError {
                throw HubError.badInput("params are not JSON: \(error)")
            }
            let (id, endpoint, policy) = (try deviceParameter(context), query["endpoint"].map(String.init), try via(query))
            let result = try await departures.run(on: context.channel) {
                try await hub.send(params, to: id, endpoint: endpoint, via: policy)
            }
            return json(.object(result.json))
        }
        router.post("/ota/:id/upgrade") { request, context -> Response in
            let query = request.uri.queryParameters
            var timeout = Duration.seconds(600)
            if let text = query["timeout"] {
                guard let s = Double(text), s > 0, s <= 3600 else { throw HubError.badInput("timeout must be seconds, 0 < t ≤ 3600") }
                timeout = .milliseconds(Int64(s * 1000))
            }
            let id = try await hub.startUpgrade(try deviceParameter(context), version: query["version"].map(String.init),
                                                timeout: timeout)
            return json(.object(["device": .string(id), "started": true, "events": .string("/events?device=\(id)")]), status: .accepted)
        }
        router.get("/events") { request, _ -> Response in
            // `?device=` takes an id or a name, as the paths do.
            var filter: String? = nil
            if let query = request.uri.queryParameters["device"].map(String.init) {
                do { filter = try await hub.lan.device(query).id } catch let error as ControlError { throw HubError(error, device: query) }
            }
            let fanout = hub.fanout
            let (id, events) = fanout.subscribe(deviceID: filter)
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                defer { fanout.unsubscribe(id) }
                // Tells the client it is subscribed: every event from here on reaches it.
                try await writer.write(ByteBuffer(string: ": subscribed\n\n"))
                for await item in events {
                    try await writer.write(ByteBuffer(string: item.frame))
                }
                try await writer.finish(nil)
            })
        }
        router.get("/metrics") { _, _ -> Response in
            let text = hub.metricsText()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
        return router
    }

    /// The methods a path of the API takes (nil: no such path), for 405 answers.
    static func methods(for path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        switch parts.count {
        case 1 where ["health", "devices", "events", "metrics"].contains(parts[0]): return "GET"
        case 2 where parts[0] == "devices" && !parts[1].isEmpty: return "GET"
        case 3 where parts[0] == "devices" && parts[2] == "status": return "GET"
        case 3 where parts[0] == "devices" && ["on", "off", "toggle", "send"].contains(parts[2]): return "POST"
        case 3 where parts[0] == "ota" && parts[2] == "upgrade": return "POST"
        default: return nil
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value.serialized + "\n")))
    }

    /// The `{id}` of the path: a device id or name, percent-decoded (names may hold spaces).
    static func deviceParameter(_ context: HubRequestContext) throws(HubError) -> String {
        guard let raw = context.parameters.get("id"), let decoded = raw.removingPercentEncoding, !decoded.isEmpty,
              decoded.utf8.count <= 256 else { throw .badInput("the device in the path is not readable") }
        return decoded
    }

    /// `channel`, a number: its range is the router's to judge, as for the CLI.
    static func channel(_ query: FlatDictionary<Substring, Substring>) throws(HubError) -> Int? {
        guard let text = query["channel"] else { return nil }
        guard let n = Int(text) else { throw .badInput("channel must be a number, 0...3") }
        return n
    }

    static func via(_ query: FlatDictionary<Substring, Substring>) throws(HubError) -> RoutePolicy? {
        guard let text = query["via"] else { return nil }
        guard let policy = RoutePolicy(rawValue: String(text)) else { throw .badInput("via must be auto, lan or cloud") }
        return policy
    }
}

extension EventFanout.Item {
    /// The item as Server-Sent Events text: `event:` (for named events), `data:`, a blank line.
    var frame: String {
        if isComment { return ": \(data)\n\n" }
        return (name.map { "event: \($0)\n" } ?? "") + "data: \(data)\n\n"
    }
}

/// Every failure as `{"error", "exitCode"}` with its status: the hub's own refusals, Hummingbird's
/// (unknown route 404, body too large 413) and anything unexpected (500, no detail leaked).
struct FailureMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HubError {
            return HubServer.json(.object(error.failure.json), status: .init(code: error.status))
        } catch let error as HTTPError {
            let message: String
            switch error.status {
            case .contentTooLarge: message = "the request body is too large"
            case .notFound:
                // A known path asked with another method: 405 and the methods it takes.
                if let allowed = HubServer.methods(for: request.uri.path) {
                    var response = HubServer.json(.object(HubFailure(message: "\(request.method) is not allowed on \(request.uri.path.prefix(100)): use \(allowed)",
                                                                     exitCode: ExitStatus.badInput).json), status: .methodNotAllowed)
                    response.headers[.allow] = allowed
                    return response
                }
                message = "no such path: \(request.uri.path.prefix(100)) (see the OpenAPI document)"
            case .methodNotAllowed: message = "\(request.method) is not allowed on \(request.uri.path.prefix(100))"
            default: message = error.body ?? error.status.reasonPhrase
            }
            var response = HubServer.json(.object(HubFailure(message: message, exitCode: ExitStatus.badInput).json),
                                          status: error.status)
            for header in error.headers { response.headers.append(header) }
            return response
        } catch {
            context.logger.error("request failed: \(error)")
            return HubServer.json(.object(HubFailure(message: "internal error", exitCode: ExitStatus.failure).json),
                                  status: .internalServerError)
        }
    }
}

/// What guards the TCP listener: the token, the names a request may be addressed to, the
/// connections still to show the token, and the wrong guesses per address.
struct TCPGuards: Sendable {
    let token: String
    let allowedHosts: HostCheck
    let gate: ConnectionGate
    let failures: FailedAttempts
}

/// TCP clients must address the hub by a name it knows (no DNS rebinding: a web page cannot reach
/// it through its own name) and show the token: `Authorization: Bearer <token>` (compared in
/// constant time). An address with many wrong tokens is locked out for a while (429).
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let guards: TCPGuards

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard guards.allowedHosts.allows(request.head.authority) else {
            return HubServer.json(.object(HubFailure(message: "this hub is not known by the name '\((request.head.authority ?? "").prefix(100))': "
                                                        + "use its address, or start it with --allowed-host NAME",
                                                     exitCode: ExitStatus.badInput).json), status: .forbidden)
        }
        let address = context.peerAddress
        if let wait = guards.failures.lockedFor(address) {
            var response = HubServer.json(.object(HubFailure(message: "too many wrong tokens from \(address): try again in \(Int((wait.inSeconds).rounded(FloatingPointRoundingRule.up))) s",
                                                             exitCode: ExitStatus.failure).json), status: .tooManyRequests)
            response.headers[.retryAfter] = String(Int((wait.inSeconds).rounded(FloatingPointRoundingRule.up)))
            return response
        }
        let given = request.headers[.authorization].flatMap { value -> String? in
            guard value.lowercased().hasPrefix("bearer ") else { return nil }
            return String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        guard let given, Self.equal(Array(given.utf8), Array(guards.token.utf8)) else {
            guards.failures.failed(address)
            var response = HubServer.json(.object(HubFailure(message: "a bearer token is needed (Authorization: Bearer …)",
                                                             exitCode: ExitStatus.badInput).json), status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        guards.gate.authenticated(context.channel)
        return try await next(request, context)
    }

    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) { diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0) }
        return diff == 0
    }
}
