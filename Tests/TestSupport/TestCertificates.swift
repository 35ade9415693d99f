import EWeLinkSimulator
import Foundation

/// Certificates for the mock cloud's TLS listeners, made once per test process with Debian's
/// `openssl` in a temporary folder: a test CA (given to clients through `EWELINK_CA_FILE`) and
/// leaf certificates it signs, good and bad, plus one from a CA no client trusts.
public struct TestCertificates: Sendable {
    /// A certificate and its key, as PEM files.
    public struct Leaf: Sendable {
        public let certificate: String
        public let key: String


    }

    /// The test CA: the PEM file a client is told to trust.
    public let caFile: String
    /// For `localhost` and 127.0.0.1 (DNS and IP names).
    public let good: Leaf
    /// For `localhost` only: no IP subject alternative name.
    public let nameOnly: Leaf
    /// For `localhost` and 127.0.0.1, but expired yesterday.
    public let expired: Leaf
    /// For `other.example` only.
    public let otherHost: Leaf
    /// For `localhost` and 127.0.0.1, from a CA the client does not trust ("Rogue Test CA").
    public let untrusted: Leaf

    /// The certificates of this test process (made on first use).
    public static func shared() async throws -> TestCertificates { try await made.value.get() }

    private static let made = Task { () -> Result<TestCertificates, any Error> in
        do { return .success(try await make()) } catch { return .failure(error) }
    }

    private static func make() async throws -> TestCertificates {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func ca(_ name: String, _ subject: String) async throws {
            try await openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                               "-keyout", "\(dir)/\(name).key", "-out", "\(dir)/\(name).pem", "-days", "2", "-subj", "/CN=\(subject)",
                               "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"])
        }
        func leaf(_ name: String, names: String, days: Int = 2, ca: String = "ca") async throws -> Leaf {
            try await openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(dir)/\(name).key",
                               "-out", "\(dir)/\(name).csr", "-subj", "/CN=\(name)"])
            try "subjectAltName=\(names)\nextendedKeyUsage=serverAuth\n".write(toFile: "\(dir)/\(name).ext", atomically: true, encoding: .utf8)
            // A negative number of days makes a certificate that expired before it was issued.
            try await openssl(["x509", "-req", "-in", "\(dir)/\(name).csr", "-CA", "\(dir)/\(ca).pem", "-CAkey", "\(dir)/\(ca).key",
                               "-CAcreateserial", "-days", "\(days)", "-extfile", "\(dir)/\(name).ext", "-out", "\(dir)/\(name).pem"])
            return Leaf(certificate: "\(dir)/\(name).pem", key: "\(dir)/\(name).key")
        }
        try await ca("ca", "ewelink Test CA")
        try await ca("rogue", "Rogue Test CA")
        return TestCertificates(caFile: "\(dir)/ca.pem",
                                good: try await leaf("good", names: "DNS:localhost,IP:127.0.0.1"),
                                nameOnly: try await leaf("name-only", names: "DNS:localhost"),
                                expired: try await leaf("expired", names: "DNS:localhost,IP:127.0.0.1", days: -1),
                                otherHost: try await leaf("other-host", names: "DNS:other.example"),
                                untrusted: try await leaf("untrusted", names: "DNS:localhost,IP:127.0.0.1", ca: "rogue"))
    }

    /// A folder holding the test CA under its subject-hash name (`openssl rehash`), as
    /// `SSL_CERT_DIR` folders are laid out.
    public func hashedDirectory() async throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-certdir-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: caFile, toPath: dir + "/test-ca.pem")
        try await Self.openssl(["rehash", dir])
        return dir
    }

    private static func openssl(_ arguments: [String]) async throws {
        let r = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/openssl"), arguments)
        guard r.status == 0 else { throw TestFailure("openssl \(arguments.prefix(2).joined(separator: " ")) exited \(r.status): \(r.stderr)") }
    }
}
