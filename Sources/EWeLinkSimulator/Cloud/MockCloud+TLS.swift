import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import NIOSSL

extension MockCloud {
    /// Serves the same REST and WebSocket interfaces over TLS (`https://` and `wss://`, as the real
    /// service does) on another port of 127.0.0.1; returns that port. Each call adds a listener,
    /// so one cloud can show several certificates (trusted, expired, for another name) at once.
    /// The dispatch answer sends a client to the WebSocket of the listener it asked.
    public func serveTLS(_ tls: TLSConfiguration, port: Int = 0) async throws -> Int {
        let server = try HTTPServerBuilder.tls(.http1WebSocketUpgrade { request, _, _ in
            guard request.path == "/api/ws" else { return .dontUpgrade }
            return .upgrade([:]) { inbound, outbound, _ in try await self.serveSocket(inbound: inbound, outbound: outbound) }
        }, tlsConfiguration: tls)
        let (running, bound) = try await launch(server: server, port: port)
        tlsListeners.withLock { $0.append(running) }
        return bound
    }

    /// `https://HOST:PORT/{region}` for a TLS listener (`HOST` as the certificate names it).
    public static func tlsBaseURL(host: String = "localhost", port: Int) -> String {
        "https://\(host):\(port)/{region}"
    }
}
