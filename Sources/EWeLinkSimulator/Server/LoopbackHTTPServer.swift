import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Foundation

/// A request as the simulator's servers see it.
public struct SimpleHTTPRequest: Sendable {
    public var method: HTTPMethod
    public var uri: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }
}

/// What to do with a connection or request.
public enum HTTPAction: Sendable {
    case respond(status: HTTPResponseStatus, contentType: String, body: [UInt8], headers: [(String, String)] = [])
    /// Abort with a TCP reset.
    case reset
    /// Keep the connection open and never answer.
    case hang
}

/// A small HTTP/1.1 server on a loopback address, built on NIO's async channels. Every
/// response closes the connection (`Connection: close`), like eWeLink firmware.
public final class LoopbackHTTPServer: Sendable {
    public typealias Handler = @Sendable (SimpleHTTPRequest) async -> HTTPAction
    /// Decides at accept time, before reading anything (busy device, reset fault).
    public typealias Gate = @Sendable () -> HTTPAction?

    private let host: String
    private let requestedPort: Int
    private let handler: Handler
    private let gate: Gate
    private let maxBody: Int
    /// When set, a second connection while one is being served is reset (single-threaded firmware).
    private let oneConnectionAtATime: Bool
    private let state = Mutex<ServerState>(ServerState())

    struct ServerState {
        var channel: (any Channel)?
        var task: Task<Void, Never>?
        var active = 0
        var children: [ObjectIdentifier: any Channel] = [:]
        var port = 0
        /// A bound, non-listening socket holding the port while the server is down.
        var placeholder: Int32 = -1
        /// Connections reset because another one was being served.
        var busyResets = 0
    }

    /// Connections reset because another one was being served (a client that does not serialise).
    public var busyResets: Int { state.withLock { $0.busyResets } }

    public init(host: String = "127.0.0.1", port: Int, maxBody: Int = 64 * 1024, oneConnectionAtATime: Bool,
                gate: @escaping Gate = { nil }, handler: @escaping Handler) {
        self.host = host
        self.requestedPort = port
        self.maxBody = maxBody
        self.oneConnectionAtATime = oneConnectionAtATime
        self.gate = gate
        self.handler = handler
    }

    /// The bound port (valid after `start`; kept across stop/start so a refuse fault reopens it).
    public var port: Int { state.withLock { $0.port } }
    public var isListening: Bool { state.withLock { $0.channel != nil } }

    /// Binds and starts accepting. Rebinding after `stop` reuses the same port.
    ///
    /// The port is never free while this server owns it: the listening socket and the
    /// placeholder of `stop(holdingPort:)` both set `SO_REUSEPORT`, so the new listener is bound
    /// before the placeholder goes and the placeholder before the listener closes. Another
    /// server asking for any free port (port 0) cannot be given it in between, which would
    /// let a neighbour's simulated device answer for this one.
    public func start() async throws {
        if isListening { return }
        let owned = state.withLock { $0.port }
        let port = owned == 0 ? requestedPort : owned
        if owned == 0 && port != 0 { try Self.checkFree(host: host, port: port) }
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        releasePlaceholder()
        let bound = server.channel.localAddress?.port ?? port
        let task = Task(executorPreference: SimulatorExecutor.shared) { [self] in
            await withDiscardingTaskGroup { group in
                do {
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                } catch {
                    // The listening socket was closed (stop) or failed: stop accepting.
                }
            }
        }
        state.withLock {
            $0.channel = server.channel
            $0.task = task
            $0.port = bound
        }
    }

    /// Closes the listening socket and every open connection. `holdingPort`: keep the port bound
    /// (not listening, so connections are refused, exactly as with no listener) so that nothing
    /// else on the machine takes it before `start` reopens it.
    public func stop(holdingPort: Bool = false) async {
        if holdingPort { holdPlaceholder() }
        let (channel, task, children) = state.withLock { s in
            defer { s.channel = nil; s.task = nil; s.children = [:] }
            return (s.channel, s.task, Array(s.children.values))
        }
        try? await channel?.close()
        for c in children { try? await c.close() }
        await task?.value
        if !holdingPort { releasePlaceholder() }
    }

    /// A port given in the configuration must not be shared with a server already there
    /// (`SO_REUSEPORT` would otherwise split connections between the two).
    private static func checkFree(host: String, port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bindSocket(fd, host: host, port: port) == 0 else {
            throw IOError(errnoCode: EADDRINUSE, reason: "bind \(host):\(port)")
        }
    }

    /// A TCP port on `host` that was free a moment ago (bound to port 0, read, released), for a
    /// process started next that needs its port on the command line (a broker, a hub).
    public static func freePort(host: String = "127.0.0.1") -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        guard bindSocket(fd, host: host, port: 0) == 0 else { return 0 }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func bindSocket(_ fd: Int32, host: String, port: Int) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    private func holdPlaceholder() {
        let port = state.withLock { $0.port }
        guard port != 0, state.withLock({ $0.placeholder }) < 0 else { return }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        guard Self.bindSocket(fd, host: host, port: port) == 0 else { close(fd); return }
        state.withLock { $0.placeholder = fd }
    }

    private func releasePlaceholder() {
        let fd = state.withLock { s -> Int32 in defer { s.placeholder = -1 }; return s.placeholder }
        if fd >= 0 { close(fd) }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let channel = connection.channel
        let id = ObjectIdentifier(channel)
        let verdict: HTTPAction? = state.withLock { s in
            if let g = gate() { return g }
            if oneConnectionAtATime && s.active > 0 { s.busyResets += 1; return .reset }
            s.active += 1
            s.children[id] = channel
            return nil
        }
        if let verdict {
            await act(verdict, on: connection, counted: false)
            return
        }
        let slot = Slot { self.state.withLock { s in s.active -= 1 } }
        defer {
            slot.release()
            state.withLock { s in _ = s.children.removeValue(forKey: id) }
        }
        await readAndAnswer(connection, slot: slot)
    }

    /// The "one connection at a time" slot of a connection. It is given back just before the
    /// reply is written: a client that sends its next request after reading the reply must not
    /// find the previous connection still counted.
    final class Slot: @unchecked Sendable {
        private let lock = NSLock()
        private var released = false
        private let onRelease: @Sendable () -> Void
        init(_ onRelease: @escaping @Sendable () -> Void) { self.onRelease = onRelease }
        func release() {
            lock.lock()
            let first = !released
            released = true
            lock.unlock()
            if first { onRelease() }
        }
    }

    private func readAndAnswer(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
                               slot: Slot) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        head = h
                    case .body(var buffer):
                        if body.count + buffer.readableBytes > maxBody {
                            try await Self.write(outbound, .payloadTooLarge, "text/plain", Array("too large".utf8))
                            return
                        }
                        body += buffer.readBytes(length: buffer.readableBytes) ?? []
                    case .end:
                        guard let head else { return }
                        let request = SimpleHTTPRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
                        let action = await handler(request)
                        slot.release()
                        switch action {
                        case .respond(let status, let type, let bytes, let extra):
                            try await Self.write(outbound, status, type, bytes, extra)
                        case .reset:
                            try? await Self.reset(connection.channel)
                        case .hang:
                            for try await _ in inbound {}
                        }
                        return
                    }
                }
            }
        } catch {
            // The peer went away or the request was malformed: nothing to answer.
        }
    }

    private func act(_ action: HTTPAction, on connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
                     counted: Bool) async {
        switch action {
        case .reset:
            try? await Self.reset(connection.channel)
        case .hang:
            let id = ObjectIdentifier(connection.channel)
            state.withLock { $0.children[id] = connection.channel }
            defer { _ = state.withLock { $0.children.removeValue(forKey: id) } }
            try? await connection.executeThenClose { inbound, _ in for try await _ in inbound {} }
        case .respond(let status, let type, let bytes, let extra):
            try? await connection.executeThenClose { _, outbound in
                try await Self.write(outbound, status, type, bytes, extra)
            }
        }
    }

    static func reset(_ channel: any Channel) async throws {
        // SO_LINGER 0: close() sends RST instead of FIN, as a busy ESP8266 does.
        if let provider = channel as? any SocketOptionProvider {
            try await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try await channel.close()
    }

    static func write(_ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, _ status: HTTPResponseStatus,
                      _ contentType: String, _ body: [UInt8], _ extra: [(String, String)] = []) async throws {
        var headers = HTTPHeaders()
        for (name, value) in extra { headers.add(name: name, value: value) }
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: "close")
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
        try await outbound.write(.end(nil))
    }
}
