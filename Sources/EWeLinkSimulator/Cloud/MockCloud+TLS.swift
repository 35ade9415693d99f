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
        let server = try HTTPServerBuilder.tls(http1WithWebSocket(), tlsConfiguration: tls)
        let (running, bound) = try await launch(server: server, port: port)
        tlsListeners.withLock { $0.append(running) }
        return bound
    }

    /// `serveTLS` with a certificate chain and its private key from PEM files.
    public func serveTLS(certificateFile: String, keyFile: String, port: Int = 0) async throws -> Int {
        try await serveTLS(Self.serverTLS(certificateFile: certificateFile, keyFile: keyFile), port: port)
    }

    /// The server side of TLS with a certificate chain and its private key from PEM files.
    public static func serverTLS(certificateFile: String, keyFile: String) throws -> TLSConfiguration {
        TLSConfiguration.makeServerConfiguration(certificateChain: try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) },
                                                 privateKey: .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem)))
    }

    /// HTTP/1.1 with the WebSocket upgrade on `/api/ws`, as every listener serves it.
    func http1WithWebSocket() -> HTTPServerBuilder {
        .http1WebSocketUpgrade { request, _, _ in
            guard request.path == "/api/ws" else { return .dontUpgrade }
            return .upgrade([:]) { inbound, outbound, _ in try await self.serveSocket(inbound: inbound, outbound: outbound) }
        }
    }
}
