#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization
import WSClient
// `WebSocketHandler` (frames, close handshake, fragments) is the client library's own engine,
// published for its sibling packages; our channel below runs it instead of the library's client.
@_spi(WSInternal) import WSCore

/// Opens the cloud WebSocket and runs `session` on it, with the cloud TLS settings. A direct
/// connection goes through `CloudWebSocketChannel`: swift-websocket's client sends its host as TLS
/// server name (SNI) even when it is an IP address, which TLS forbids (the connection never
/// opened), and has no deadline for the TLS handshake and the upgrade (a server that stays silent
/// held `stop()` for ever). Through an `HTTPS_PROXY`, the library's client does the `CONNECT`
/// (for a name; a `wss://` address is reached directly).
enum CloudSocketConnection {
    typealias Session = @Sendable (WebSocketInboundStream, WebSocketOutboundWriter) async throws -> Void

    /// How long the TLS handshake and the HTTP upgrade may take once connected.
    static let handshakeDeadline: TimeAmount = .seconds(10)

    /// The TLS handshake and upgrade did not end within `handshakeDeadline`.
    struct HandshakeTimeout: Error {}

    static func run(url: String, transport: CloudTransport, maxFrameSize: Int, logger: Logger,
                    session: @escaping Session) async throws {
        guard let parsed = URL(string: url), let host = parsed.host, let scheme = parsed.scheme,
              scheme == "ws" || scheme == "wss" else { throw WebSocketClientError.invalidURL }
        let tls = scheme == "wss" ? transport.tlsConfiguration : nil
        // The library's proxied path would send an address as server name: a wss:// address goes direct.
        if let proxy = transport.proxy(for: host), tls == nil || !CloudPeerCertificate.isIPLiteral(host) {
            try await WebSocketClient.connect(url: url, configuration: WebSocketClientConfiguration(maxFrameSize: maxFrameSize),
                                              tlsConfiguration: tls,
                                              proxySettings: .init(host: proxy.host, port: proxy.port, type: .http()),
                                              logger: logger) { inbound, outbound, _ in try await session(inbound, outbound) }
            return
        }
        let port = parsed.port ?? (tls == nil ? 80 : 443)
        let channel = CloudWebSocketChannel(host: host, port: port, path: parsed.path.isEmpty ? "/" : parsed.path,
                                            sslContext: try tls.map { try NIOSSLContext(configuration: $0) },
                                            maxFrameSize: maxFrameSize, session: session)
        try await ClientConnection(channel, address: .hostname(host, port: port), logger: logger).run()
    }
}

/// One direct WebSocket connection: TLS (server name only for a name; an address is checked
/// against the certificate's IP subject alternative names), the HTTP upgrade within
/// `CloudSocketConnection.handshakeDeadline`, then the library's WebSocket engine.
struct CloudWebSocketChannel: ClientConnectionChannel {
    enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case declined
    }

    /// The connection and its upgrade under way (closed when the caller gives up).
    struct Opening: Sendable {
        var channel: any Channel
        var upgrade: EventLoopFuture<Upgrade>
        var deadline: Deadline
    }

    /// Whether the handshake deadline cut the connection.
    final class Deadline: Sendable {
        let passed = Mutex(false)
    }

    struct Context: WebSocketContext {
        let logger: Logger
    }

    let host: String
    let port: Int
    let path: String
    let sslContext: NIOSSLContext?
    let maxFrameSize: Int
    let session: CloudSocketConnection.Session

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Opening> {
        channel.eventLoop.makeCompletedFuture {
            if let sslContext {
                let serverName = CloudPeerCertificate.isIPLiteral(host) ? nil : host
                try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverName),
                                                               position: .first)
            }
            let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: maxFrameSize) { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    .websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                }
            }
            let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path,
                                       headers: ["Host": authority, "Origin": "\(sslContext == nil ? "http" : "https")://\(authority)"])
            let upgrade = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(upgradeRequestHead: head, upgraders: [upgrader]) { channel in
                channel.eventLoop.makeCompletedFuture { .declined }
            }
            var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgrade)
            pipeline.leftOverBytesStrategy = .forwardBytes
            let upgraded = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
            // A server that never finishes the handshake or the upgrade is cut.
            let deadline = Deadline()
            let cut = channel.eventLoop.scheduleTask(in: CloudSocketConnection.handshakeDeadline) {
                deadline.passed.withLock { $0 = true }
                channel.close(promise: nil)
            }
            upgraded.whenComplete { _ in cut.cancel() }
            return Opening(channel: channel, upgrade: upgraded, deadline: deadline)
        }
    }

    func handle(value: Opening, logger: Logger) async throws {
        let result: Upgrade
        do {
            result = try await withTaskCancellationHandler {
                try await value.upgrade.get()
            } onCancel: {
                value.channel.close(promise: nil)
            }
        } catch {
            if value.deadline.passed.withLock({ $0 }) { throw CloudSocketConnection.HandshakeTimeout() }
            throw error
        }
        switch result {
        case .websocket(let channel):
            let session = self.session
            _ = try await WebSocketHandler.handle(type: .client,
                                                  configuration: .init(extensions: [], autoPing: .disabled, validateUTF8: false,
                                                                       maxFrameSize: maxFrameSize),
                                                  asyncChannel: channel, context: Context(logger: logger)) { inbound, outbound, _ in
                try await session(inbound, outbound)
            }
        case .declined:
            throw WebSocketClientError.webSocketUpgradeFailed
        }
    }
}
