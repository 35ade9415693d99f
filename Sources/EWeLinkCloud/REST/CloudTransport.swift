import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOSSL
import Synchronization

/// How the cloud is reached: which certificate authorities are trusted and which proxy carries
/// the calls, read from the environment as curl and OpenSSL tools read it (`SSL_CERT_FILE`,
/// `SSL_CERT_DIR`, `HTTPS_PROXY`, `NO_PROXY`), plus a private CA of our own (`EWELINK_CA_FILE`,
/// `caFile`). Certificates are always verified: there is deliberately no setting to turn that off.
public struct CloudTransport: Sendable, Hashable {
    /// An HTTP proxy reached with `CONNECT` (`HTTPS_PROXY=http://host:port`).
    public struct Proxy: Sendable, Hashable {
        /// The proxy's host name or address.
        public var host: String
        /// The proxy's port.
        public var port: Int
        /// The proxy at `host:port`.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// A PEM file of CA certificates trusted besides the system's (or `certFile`'s).
    public var caFile: String?
    /// `SSL_CERT_FILE`: the CA bundle used instead of the system's.
    public var certFile: String?
    /// `SSL_CERT_DIR`: a folder of CA certificates used instead of the system's.
    public var certDirectory: String?
    /// `HTTPS_PROXY` (or `https_proxy`).
    public var proxy: Proxy?
    /// `NO_PROXY` (or `no_proxy`): hosts and domain suffixes reached directly; `*` for all.
    public var noProxy: [String]

    /// Settings as given (the system's CAs, no proxy, when left out); `from(environment:)` reads them.
    public init(caFile: String? = nil, certFile: String? = nil, certDirectory: String? = nil, proxy: Proxy? = nil,
                noProxy: [String] = []) {
        self.caFile = caFile
        self.certFile = certFile
        self.certDirectory = certDirectory
        self.proxy = proxy
        self.noProxy = noProxy
    }

    /// The settings of an environment; `caFile` (from the configuration file) is used when
    /// `EWELINK_CA_FILE` is not set. Empty variables count as unset.
    public static func from(environment: [String: String], caFile: String? = nil) -> CloudTransport {
        func value(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        return CloudTransport(caFile: value("EWELINK_CA_FILE") ?? caFile.flatMap { $0.isEmpty ? nil : $0 },
                              certFile: value("SSL_CERT_FILE"), certDirectory: value("SSL_CERT_DIR"),
                              proxy: value("HTTPS_PROXY", "https_proxy").flatMap(Self.proxy(from:)),
                              noProxy: (value("NO_PROXY", "no_proxy") ?? "").split(separator: ",").map {
                                  $0.trimmingBlanks.lowercased()
                              }.filter { !$0.isEmpty })
    }

    /// The process's own settings.
    public static var environment: CloudTransport { from(environment: ProcessInfo.processInfo.environment) }

    /// `http://host:port`, `host:port` or `http://user@host` (port 1080 when left out, as curl does);
    /// nil for anything else (an `https://` proxy is not supported by the HTTP client).
    static func proxy(from text: String) -> Proxy? {
        var rest = Substring(text)
        if let scheme = rest.firstRange(of: "://") {
            guard rest[..<scheme.lowerBound].lowercased() == "http" else { return nil }
            rest = rest[scheme.upperBound...]
        }
        rest = rest.prefix { $0 != "/" }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        let (host, port) = Self.split(String(rest))
        guard !host.isEmpty else { return nil }
        return Proxy(host: host, port: port ?? 1080)
    }

    /// Whether calls to `host` go through the proxy (a proxy is set and `NO_PROXY` does not name
    /// the host, one of its parent domains, or `*`).
    package func proxy(for host: String) -> Proxy? {
        guard let proxy else { return nil }
        let host = host.lowercased().trimming(where: { $0 == "[" || $0 == "]" })
        for entry in noProxy {
            if entry == "*" { return nil }
            let (name, _) = Self.split(entry)
            let suffix = name.hasPrefix(".") ? String(name.dropFirst()) : name
            if host == suffix || host.hasSuffix("." + suffix) { return nil }
        }
        return proxy
    }

    /// `host` and `port` of `host:port` (`[v6]:port` too).
    static func split(_ authority: String) -> (String, Int?) {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            return (host, after.hasPrefix(":") ? Int(after.dropFirst()) : nil)
        }
        guard let colon = authority.lastIndex(of: ":"), authority.firstIndex(of: ":") == colon else { return (authority, nil) }
        return (String(authority[..<colon]), Int(authority[authority.index(after: colon)...]))
    }

    /// The TLS settings of every cloud connection, REST and WebSocket.
    package var tlsConfiguration: TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let certFile {
            tls.trustRoots = .file(certFile)
        } else if let certDirectory {
            tls.trustRoots = .file(certDirectory)
        }
        if certFile != nil, let certDirectory {
            tls.additionalTrustRoots.append(.certificates(Self.certificates(inDirectory: certDirectory)))
        }
        if let caFile { tls.additionalTrustRoots.append(.file(caFile)) }
        // Once our close_notify is sent the session is over, and TLS does not require the side that
        // closes to wait for the peer's (RFC 8446, 6.1). Servers that close the TCP connection
        // without answering one made NIOSSL wait its whole default (5 s): a late exit for every
        // `watch`, `ota upgrade` and hub shutdown over wss (measured: 250 ms here still cost 230 ms).
        tls.shutdownTimeout = .milliseconds(20)
        return tls
    }

    /// The certificates of the PEM files in a folder (unreadable files are skipped, as OpenSSL does).
    private static func certificates(inDirectory path: String) -> [NIOSSLCertificate] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().flatMap { name in (try? NIOSSLCertificate.fromPEMFile(path + "/" + name)) ?? [] }
    }

    /// What is wrong with the settings, as a sentence, or nil: a CA file or folder that cannot be read.
    public var problem: String? {
        let named: [(String, String?)] = [("the CA file setting (caFile)", caFile), ("SSL_CERT_FILE", certFile),
                                          ("SSL_CERT_DIR", certDirectory)]
        for case let (name, path?) in named {
            guard FileManager.default.isReadableFile(atPath: path) else {
                return "\(name) names \(path), which cannot be read"
            }
            if name != "SSL_CERT_DIR", (try? NIOSSLCertificate.fromPEMFile(path))?.isEmpty != false {
                return "\(name) names \(path), which holds no PEM certificate"
            }
        }
        return nil
    }

    /// The HTTP client for calls to `host` with these settings: one per settings and proxy choice,
    /// made once and kept for the process (like `HTTPClient.shared`), so connections are reused.
    func httpClient(for host: String) -> HTTPClient {
        let key = ClientKey(transport: self, proxy: proxy(for: host))
        return Self.clients.withLock { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.tlsConfiguration = tlsConfiguration
            // A refused or unreachable cloud fails at once (after at most 5 s to connect) instead of
            // being retried until the request's 15 s deadline.
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.timeout.connect = .seconds(5)
            if let proxy = key.proxy { configuration.proxy = .server(host: proxy.host, port: proxy.port) }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    private struct ClientKey: Hashable {
        var transport: CloudTransport
        var proxy: Proxy?
    }

    private static let clients = Mutex<[ClientKey: HTTPClient]>([:])
}

extension HTTPClient {
    /// A client with this process's cloud settings (`CloudTransport.environment`: CAs, proxy):
    /// a refused or unreachable cloud fails after at most 5 s to connect. Never shut down, like `.shared`.
    package static var cloud: HTTPClient { CloudTransport.environment.httpClient(for: "") }
}
