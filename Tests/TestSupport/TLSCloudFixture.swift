import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation

/// The mock cloud over TLS as the real one is reached (`https://` and `wss://`): a simulator with
/// one plug (offered firmware 3.6.1) owned by one `eu` account, its plain listener, and one TLS
/// listener per test certificate. Clients trust the test CA through `EWELINK_CA_FILE`.
public struct TLSCloudFixture: Sendable {
    public let sim: Simulator
    public let certs: TestCertificates
    public let appID: String
    public let appSecret: String
    public let email: String
    public let password: String
    /// TLS listeners: localhost + 127.0.0.1 names; localhost only; expired; for other.example;
    /// from an untrusted CA.
    public let good: Int, nameOnly: Int, expired: Int, otherHost: Int, untrusted: Int

    public var cloud: MockCloud { sim.cloud! }
    public var device: SimulatedDevice { sim.devices[0] }
    /// The plain `http://` listener.
    public var plainPort: Int { cloud.port }

    public static func start(mdns: Bool = false) async throws -> TLSCloudFixture {
        let certs = try await TestCertificates.shared()
        let fixture = Fixture()
        let offer: JSONObject = ["version": "3.6.1", "binList": [["name": "user1.bin", "downloadUrl": "http://127.0.0.1:1/user1.bin",
                                                                   "digest": .string(String(repeating: "a", count: 64))]]]
        let owner = UUID().uuidString.lowercased()
        let doc: JSONValue = [
            "devices": [["id": .string(TestFleet.freshID()), "name": "TLS plug", "type": "plug", "port": 0,
                         "devicekey": .string(UUID().uuidString.lowercased()), "apikey": .string(owner),
                         "fwVersion": "3.5.0", "model": "PSF-BD1-GL", "otaAvailable": .object(offer)]],
            "cloud": ["appId": .string(fixture.appID), "appSecret": .string(fixture.appSecret),
                      "accounts": [["email": .string(fixture.email), "password": .string(fixture.password), "countryCode": "+49",
                                    "region": "eu", "apikey": .string(owner)]]],
        ]
        let sim = try await Simulator.startedWithCloud(try Fleet.parse(doc.serializedBytes, file: "tls-cloud"), mdns: mdns)
        let cloud = sim.cloud!
        return TLSCloudFixture(sim: sim, certs: certs, appID: fixture.appID, appSecret: fixture.appSecret, email: fixture.email,
                               password: fixture.password,
                               good: try await cloud.serveTLS(certificateFile: certs.good.certificate, keyFile: certs.good.key),
                               nameOnly: try await cloud.serveTLS(certificateFile: certs.nameOnly.certificate, keyFile: certs.nameOnly.key),
                               expired: try await cloud.serveTLS(certificateFile: certs.expired.certificate, keyFile: certs.expired.key),
                               otherHost: try await cloud.serveTLS(certificateFile: certs.otherHost.certificate, keyFile: certs.otherHost.key),
                               untrusted: try await cloud.serveTLS(certificateFile: certs.untrusted.certificate, keyFile: certs.untrusted.key))
    }

    /// The generated names of a fixture, before its listeners exist.
    private struct Fixture {
        let appID = "tlsApp" + String(UInt32.random(in: 0...UInt32.max))
        let appSecret = "tls-secret-" + UUID().uuidString
        let email = "owner@example.com"
        let password = "owner-" + UUID().uuidString
    }

    private init(sim: Simulator, certs: TestCertificates, appID: String, appSecret: String, email: String, password: String,
                 good: Int, nameOnly: Int, expired: Int, otherHost: Int, untrusted: Int) {
        self.sim = sim
        self.certs = certs
        self.appID = appID
        self.appSecret = appSecret
        self.email = email
        self.password = password
        self.good = good
        self.nameOnly = nameOnly
        self.expired = expired
        self.otherHost = otherHost
        self.untrusted = untrusted
    }

    /// A fresh EWELINK_HOME for CLI runs.
    public static func freshHome() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-tls-home-\(UUID().uuidString)").path
    }

    /// The environment of a CLI run against `scheme://host:port/{region}`, trusting the test CA.
    public func environment(home: String, host: String = "localhost", port: Int? = nil, scheme: String = "https") -> [String: String] {
        ["EWELINK_HOME": home, "EWELINK_APP_ID": appID, "EWELINK_APP_SECRET": appSecret,
         "EWELINK_API_URL": "\(scheme)://\(host):\(port ?? good)/{region}", "EWELINK_CA_FILE": certs.caFile,
         "HTTPS_PROXY": "", "https_proxy": "", "SSL_CERT_FILE": "", "SSL_CERT_DIR": ""]
    }

    /// `ewelink login` with the owner's password.
    public func login(_ environment: [String: String]) async throws -> TestSupport.CommandResult {
        try await CommandRunner.run("ewelink", ["login", "--email", email, "--country-code", "+49", "--password-stdin"],
                                    environment: environment, stdin: password + "\n")
    }

    /// Logs in and syncs through the CLI; fails the test when either fails.
    public func loggedIn(_ environment: [String: String]) async throws {
        for step in [["login"], ["sync"]] {
            let r = step == ["login"] ? try await login(environment) : try await CommandRunner.run("ewelink", step, environment: environment)
            guard r.status == 0 else { throw TestFailure("ewelink \(step[0]) exited \(r.status): \(r.stderr)") }
        }
    }
}
