import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import WSClient
// `WebSocketHandler` (frames, close handshake, fragments) is the client library's own engine,
// published for its sibling packages only; it is used for the one case its client cannot do.
@_spi(WSInternal) import WSCore

/// Opens the cloud WebSocket and runs `session` on it. Through swift-websocket's client, with the
/// cloud TLS settings and, when `HTTPS_PROXY` applies to the host, through that proxy; a `wss://`
/// address that is an IP literal goes through `AddressWebSocketChannel` instead, because the
/// client sends its host as TLS server name (SNI), which must never be an address.
enum CloudSocketConnection {
    typealias Session = @Sendable (WebSocketInboundStream, WebSocketOutboundWriter) async throws -> Void

    static func run(url: String, transport: CloudTransport, maxFrameSize: Int, logger: Logger,
                    session: @escaping Session) async throws {
        guard let parsed = URL(string: url), let host = parsed.host else { throw WebSocketClientError.invalidURL }
        let secure = parsed.scheme == "wss"
        let tls = secure ? transport.tlsConfiguration : nil
        if let tls, CloudPeerCertificate.isIPLiteral(host) {
            let channel = try AddressWebSocketChannel(host: host, port: parsed.port ?? 443,
                                                      path: parsed.path.isEmpty ? "/" : parsed.path,
                                                      sslContext: NIOSSLContext(configuration: tls),
                                                      maxFrameSize: maxFrameSize, session: session)
            try await ClientConnection(channel, address: .hostname(host, port: parsed.port ?? 443), logger: logger).run()
            return
        }
        let configuration = WebSocketClientConfiguration(maxFrameSize: maxFrameSize)
        let handler: WebSocketDataHandler<WebSocketClient.Context> = { inbound, outbound, _ in try await session(inbound, outbound) }
        if let proxy = transport.proxy(for: host) {
            try await WebSocketClient.connect(url: url, configuration: configuration, tlsConfiguration: tls,
                                              proxySettings: .init(host: proxy.host, port: proxy.port, type: .http()),
                                              logger: logger, handler: handler)
        } else {
            try await WebSocketClient.connect(url: url, configuration: configuration, tlsConfiguration: tls,
                                              logger: logger, handler: handler)
        }
    }
}

/// A `wss://` connection to an IP address: TLS without a server name (the certificate is then
/// checked against the address, i.e. its IP subject alternative names), the HTTP upgrade, then
/// the library's WebSocket engine. Direct only: an address is not sent through a proxy.
struct AddressWebSocketChannel: ClientConnectionChannel {
    enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case declined
    }

    struct Context: WebSocketContext {
        let logger: Logger
    }

    let host: String
    let port: Int
    let path: String
    let sslContext: NIOSSLContext
    let maxFrameSize: Int
    let session: CloudSocketConnection.Session

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<EventLoopFuture<Upgrade>> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: nil),
                                                           position: .first)
            let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: maxFrameSize) { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    .websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                }
            }
            let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path,
                                       headers: ["Host": authority, "Origin": "https://\(authority)"])
            let upgrade = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(upgradeRequestHead: head, upgraders: [upgrader]) { channel in
                channel.eventLoop.makeCompletedFuture { .declined }
            }
            var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgrade)
            pipeline.leftOverBytesStrategy = .forwardBytes
            return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
        }
    }

    func handle(value: EventLoopFuture<Upgrade>, logger: Logger) async throws {
        switch try await value.get() {
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
