import EWeLinkCloud
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where the cloud settings come from: the environment first (`EWELINK_APP_ID`,
/// `EWELINK_APP_SECRET`, `EWELINK_API_URL`, `EWELINK_CA_FILE`), then `$EWELINK_HOME/config.json`
/// (`{"appId","appSecret","apiUrl","caFile"}`); trusted CAs and proxy as `CloudTransport` reads
/// them (`SSL_CERT_FILE`, `SSL_CERT_DIR`, `HTTPS_PROXY`, `NO_PROXY`).
package struct CloudConfig: Sendable {
    /// The app id and secret; nil when neither the environment nor `config.json` gives both.
    package var credentials: CloudCredentials?
    /// Where the calls go (`EWELINK_API_URL` / `apiUrl` replaces the regional hosts).
    package var endpoints: CloudEndpoints
    /// The store folder (`$EWELINK_HOME`), where the session and `config.json` live.
    package var home: String
    /// Trusted CAs (a private one from `EWELINK_CA_FILE` / `caFile`) and proxy of every cloud connection.
    package var transport: CloudTransport = .environment

    /// Reads the settings from `environment` and the store folder's `config.json` (which must be the
    /// user's own, like the folder); `apiURL`, when given, wins over both.
    package static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            apiURL: String? = nil) throws(CloudError) -> CloudConfig {
        let home = DeviceStore.homeDirectory(environment: environment)
        var file: JSONObject = [:]
        let path = home + "/config.json"
        // It holds the app secret: read only from a folder and a file of ours.
        let bytes: [UInt8]?
        do {
            bytes = try AtomicFile.checkDirectory(home) ? try AtomicFile.readPrivate(path) : nil
        } catch { throw .tokenStore(error.description) }
        if let bytes {
            guard let o = try? JSONValue.parse(bytes).objectValue else {
                throw .tokenStore("\(path) is not a JSON object")
            }
            file = o
        }
        let appID = environment["EWELINK_APP_ID"] ?? file["appId"]?.stringValue
        let secret = environment["EWELINK_APP_SECRET"] ?? file["appSecret"]?.stringValue
        let url = apiURL ?? environment["EWELINK_API_URL"] ?? file["apiUrl"]?.stringValue
        var credentials: CloudCredentials? = nil
        if let appID, let secret, !appID.isEmpty, !secret.isEmpty {
            credentials = CloudCredentials(appID: appID, appSecret: secret)
        }
        let transport = CloudTransport.from(environment: environment, caFile: file["caFile"]?.stringValue)
        return CloudConfig(credentials: credentials, endpoints: CloudEndpoints(override: url), home: home, transport: transport)
    }

    /// The session file of the store folder (`cloud.json`).
    package var sessionStore: CloudSessionStore { CloudSessionStore(directory: home) }

    /// A client with the stored session (if any).
    package func client() throws(CloudError) -> CloudClient {
        guard let credentials else { throw .missingAppCredentials }
        var cloud = EWeLinkConfiguration.Cloud(appID: credentials.appID, appSecret: credentials.appSecret, transport: transport)
        cloud.endpoints = endpoints
        return try cloud.client(sessionIn: home)
    }
}
