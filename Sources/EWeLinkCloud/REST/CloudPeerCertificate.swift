import COpenSSL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// What a server's certificate says, read to explain a refused handshake: validity, names and
/// issuer. Nothing here decides trust; the handshake already did.
struct CloudPeerCertificate: Sendable {
    var notValidBefore: Date
    var notValidAfter: Date
    /// DNS names and IP addresses of the subject alternative names.
    var names: [String]
    var subject: String
    var issuer: String

    init(_ certificate: NIOSSLCertificate) {
        notValidBefore = Date(timeIntervalSince1970: TimeInterval(certificate.notValidBefore))
        notValidAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
        names = certificate._subjectAlternativeNames().compactMap { name in
            switch name.nameType {
            case .dnsName: return String(decoding: name.contents, as: UTF8.self)
            case .ipAddress: return Self.address(Array(name.contents))
            default: return nil
            }
        }
        let der = (try? certificate.toDERBytes()) ?? []
        subject = Self.name(der, issuer: false) ?? "?"
        issuer = Self.name(der, issuer: true) ?? "?"
    }

    var isSelfSigned: Bool { subject == issuer }

    /// An IP subject alternative name (4 or 16 bytes) as text.
    private static func address(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard inet_ntop(family, bytes, &text, socklen_t(text.count)) != nil else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The subject or issuer of a DER certificate as `CN=…, O=…` (libcrypto: NIOSSL has no accessor).
    private static func name(_ der: [UInt8], issuer: Bool) -> String? {
        der.withUnsafeBufferPointer { bytes -> String? in
            var cursor: UnsafePointer<UInt8>? = bytes.baseAddress
            guard let x509 = ewelink_crypto_d2i_X509(nil, &cursor, bytes.count) else { return nil }
            defer { ewelink_crypto_X509_free(x509) }
            guard let name = issuer ? ewelink_crypto_X509_get_issuer_name(x509) : ewelink_crypto_X509_get_subject_name(x509) else { return nil }
            var buffer = [CChar](repeating: 0, count: 512)
            guard ewelink_crypto_X509_NAME_oneline(name, &buffer, Int32(buffer.count)) != nil else { return nil }
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return line.split(separator: "/").joined(separator: ", ")
        }
    }

    /// The certificate a TLS server at `host:port` presents, read in a handshake that is refused
    /// as soon as the certificate arrives (no byte of a request is sent); nil when none came
    /// (no TLS there, or no connection within 5 s).
    static func fetch(host: String, port: Int, tls: TLSConfiguration) async -> CloudPeerCertificate? {
        guard let context = try? NIOSSLContext(configuration: tls) else { return nil }
        let seen = Seen()
        let serverName = isIPLiteral(host) ? nil : host
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName,
                                                              customVerificationCallback: { chain, promise in
                            if let leaf = chain.first { seen.leaf.withLock { $0 = CloudPeerCertificate(leaf) } }
                            promise.succeed(.failed)
                        })
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .connect(host: host, port: port).get()
            // The refused handshake closes the channel; a server that never answers is cut.
            let cut = channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
            try? await channel.closeFuture.get()
            cut.cancel()
        } catch {
            return nil
        }
        return seen.leaf.withLock { $0 }
    }

    /// The certificate seen by a handshake's verification callback.
    private final class Seen: Sendable {
        let leaf = Mutex<CloudPeerCertificate?>(nil)
    }

    /// Whether `host` is an IPv4 or IPv6 address rather than a name (never sent as TLS server name).
    static func isIPLiteral(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host.trimming(where: { $0 == "[" || $0 == "]" }), port: 0)) != nil
    }
}
