import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1
import NIOSSL

extension CloudError {
    /// The error a failed connection to `url` becomes. TLS failures say, in one sentence, what
    /// is wrong and what to check (the server was reached, so never "cannot reach"): for a
    /// refused certificate, the certificate is fetched once more and read to tell an untrusted
    /// issuer from an expired one (the handshake error says only "CERTIFICATE_VERIFY_FAILED").
    /// Everything else keeps `transportReason`'s few words.
    static func connectionFailure(_ error: any Error, path: String, url: String, transport: CloudTransport) async -> CloudError {
        guard let target = URL(string: url), let host = target.host, !host.isEmpty else {
            return .transport(path: path, reason: transportReason(error))
        }
        let secure = target.scheme == "https" || target.scheme == "wss"
        let port = target.port ?? (secure ? 443 : 80)
        let address = "\(host):\(port)"
        let direct = transport.proxy(for: host) == nil
        switch TLSFailure(error, secure: secure) {
        case nil where secure && direct && Self.isTimeout(error):
            // A plain HTTP server may sit silent on a ClientHello until the connect deadline.
            guard await CloudPlainHTTPProbe.answersPlainHTTP(host: host, port: port) else { fallthrough }
            return .tls(path: path, reason: Self.notTLSSentence(address))
        case nil:
            // A plain-HTTP call whose answer was no HTTP, or was cut: maybe a TLS port.
            if !secure, direct, Self.mayBeTLSPort(error),
               await CloudPeerCertificate.fetch(host: host, port: port, tls: transport.tlsConfiguration) != nil {
                return .tls(path: path, reason: "\(address) answers in TLS, not plain HTTP: the API base URL (apiUrl) must start with https://")
            }
            return .transport(path: path, reason: transportReason(error))
        case .notTLS?:
            return .tls(path: path, reason: Self.notTLSSentence(address))
        case .other(let code)?:
            return .tls(path: path, reason: "the TLS handshake with \(address) failed (\(code))")
        case .refused(let wrongName)?:
            let peer = direct ? await CloudPeerCertificate.fetch(host: host, port: port, tls: transport.tlsConfiguration) : nil
            return .tls(path: path, reason: Self.certificateSentence(peer, host: host, address: address, wrongName: wrongName))
        }
    }

    private static func notTLSSentence(_ address: String) -> String {
        "\(address) does not answer in TLS: is an https:// address pointing at a plain http:// port? "
            + "check the API base URL (apiUrl)"
    }

    /// A connection (TCP and TLS handshake) that ran out of time; a slow answer is not one.
    private static func isTimeout(_ error: any Error) -> Bool {
        if error is CloudSocketConnection.HandshakeTimeout { return true }
        if let e = error as? HTTPClientError { return e == .connectTimeout }
        if let e = error as? ChannelError, case .connectTimeout = e { return true }
        return false
    }

    /// One sentence on a refused certificate, from what it says.
    static func certificateSentence(_ peer: CloudPeerCertificate?, host: String, address: String, wrongName: Bool,
                                    now: Date = Date()) -> String {
        let trustHint = "trust a private CA with the CA file setting (caFile), or check SSL_CERT_FILE and SSL_CERT_DIR"
        guard let peer else {
            return wrongName
                ? "the certificate of \(address) is not made out to \(host): check the API base URL (apiUrl)"
                : "the certificate of \(address) is not trusted: \(trustHint)"
        }
        if wrongName || !peer.names.isEmpty && !peer.names.contains(where: { Self.matches($0, host) }) {
            let names = peer.names.isEmpty ? "no name" : peer.names.joined(separator: ", ")
            return "the certificate of \(address) is made out to \(names), not to \(host): check the API base URL (apiUrl)"
        }
        let day = Date.ISO8601FormatStyle().year().month().day()
        if peer.notValidAfter < now {
            return "the certificate of \(address) expired on \(peer.notValidAfter.formatted(day)): "
                + "the server must renew it (or this machine's clock is wrong)"
        }
        if peer.notValidBefore > now {
            return "the certificate of \(address) is valid only from \(peer.notValidBefore.formatted(day)): check this machine's clock"
        }
        if peer.isSelfSigned {
            return "the certificate of \(address) is self-signed (\(peer.subject)) and not trusted: \(trustHint)"
        }
        return "the certificate of \(address) is issued by \(peer.issuer), which is not a trusted CA: \(trustHint)"
    }

    /// Whether a certificate name covers `host` (exactly, or as a `*.` wildcard for one label).
    private static func matches(_ name: String, _ host: String) -> Bool {
        let name = name.lowercased(), host = host.lowercased()
        if name == host { return true }
        guard name.hasPrefix("*."), let dot = host.firstIndex(of: ".") else { return false }
        return host[dot...] == name.dropFirst()
    }

    /// An answer that was no HTTP, or a connection cut before one: what a TLS server does to a
    /// plain request.
    private static func mayBeTLSPort(_ error: any Error) -> Bool {
        if error is HTTPParserError { return true }
        if let e = error as? HTTPClientError { return e == .remoteConnectionClosed }
        return false
    }
}

/// How a TLS connection failed.
enum TLSFailure {
    /// The certificate was refused: by the CA check, or (`wrongName`) for the host name.
    case refused(wrongName: Bool)
    /// The server does not speak TLS (a plain port).
    case notTLS
    /// Another handshake failure, with its code (`NO_SHARED_CIPHER`, …).
    case other(String)

    /// What `error` says of a TLS failure; nil when it is none.
    init?(_ error: any Error, secure: Bool) {
        guard secure else { return nil }
        let text = String(describing: error)
        if text.contains("failedToValidateHostname") {
            self = .refused(wrongName: true)
            return
        }
        guard let ssl = error as? NIOSSLError else { return nil }
        switch ssl {
        case .handshakeFailed:
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                self = .refused(wrongName: false)
            } else if ["WRONG_VERSION_NUMBER", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG", "RECORD_LENGTH_MISMATCH",
                       "eofDuringHandshake", "UNEXPECTED_RECORD"].contains(where: text.contains) {
                self = .notTLS
            } else {
                // The reason code of the first BoringSSL error (`…:OPENSSL_internal:CODE at …`).
                let code = text.firstRange(of: "OPENSSL_internal:").map { found in
                    String(text[found.upperBound...].prefix(while: { $0.isLetter || $0.isNumber || $0 == "_" }))
                }
                self = .other(code.flatMap { $0.isEmpty ? nil : $0 } ?? "handshake refused")
            }
        case .uncleanShutdown:
            // A cut after the handshake: the server was TLS; not a handshake failure.
            return nil
        default:
            self = .other(String("\(ssl)".prefix(while: { $0 != "(" })))
        }
    }
}
