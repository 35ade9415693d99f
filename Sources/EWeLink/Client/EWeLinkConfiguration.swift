import EWeLinkCloud
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything an ``EWeLinkClient`` needs, said by the caller: where the device store lives, the
/// cloud's app credentials (or none: LAN only), and the waits. Nothing is read from the
/// environment or from files behind the caller's back; ``fromEnvironment(_:apiURL:cloud:)`` is the
/// one place that does, for the command-line tool and the hub.
///
/// ```swift
/// var configuration = EWeLinkConfiguration(storeDirectory: "/var/lib/myapp/ewelink")
/// configuration.cloud = .init(appID: "…", appSecret: "…")
/// ```
public struct EWeLinkConfiguration: Sendable {
    /// The folder of the device store (`devices.json`: keys, names, addresses) and of the cloud
    /// session (`cloud.json`); created with mode 0700 when first written.
    public var storeDirectory: String

    /// The eWeLink cloud: used for fallback, login, key sync and firmware updates. Nil: the
    /// client never talks to the cloud.
    public var cloud: Cloud?

    /// The longest a command waits for a device on the LAN, all its requests together. With a
    /// cloud fallback the wait is learnt per device below it.
    public var lanTimeout: Duration = .seconds(3)

    /// The shortest learnt LAN wait before the cloud is tried.
    public var lanTimeoutFloor: Duration = .milliseconds(300)

    /// How long a lookup of a device over mDNS (address unknown or stale) may take.
    public var resolveTimeout: Duration = .seconds(3)

    /// Channel changes to one device arriving within this window go out as one command
    /// (`.zero`: each goes at once, answered on its own).
    public var channelMergeWindow: Duration = .zero

    /// A LAN command slower than the device's usual self also goes through the cloud; the first
    /// acknowledgement wins.
    public var hedging = true

    /// Use LAN addresses without proof of identity (see the trust rule): only for firmware whose
    /// `info` reply does not name the device, or a DIY device claimed by several services when the
    /// caller knows which address is right.
    public var trustAddresses = false

    /// A configuration with a device store in `storeDirectory`, no cloud, and the default waits.
    public init(storeDirectory: String, cloud: Cloud? = nil) {
        self.storeDirectory = storeDirectory
        self.cloud = cloud
    }

    /// How the client reaches the eWeLink cloud.
    public struct Cloud: Sendable {
        /// The app's id and secret from dev.ewelink.cc (the secret is never logged).
        public var credentials: CloudCredentials
        /// The API hosts: eWeLink's regional hosts, or a base URL of your own (`{region}` is replaced).
        public var endpoints: CloudEndpoints
        /// The region a login tries first; the cloud redirects to the account's own.
        public var region: CloudRegion
        /// Trusted certificate authorities and proxy of every cloud connection.
        public var transport: CloudTransport

        /// The cloud with an app's credentials; `apiURL` replaces eWeLink's hosts (a test cloud),
        /// `transport` the system's trusted CAs and no proxy.
        public init(appID: String, appSecret: String, region: CloudRegion = .us, apiURL: String? = nil,
                    transport: CloudTransport = CloudTransport()) {
            credentials = CloudCredentials(appID: appID, appSecret: appSecret)
            endpoints = CloudEndpoints(override: apiURL)
            self.region = region
            self.transport = transport
        }
    }

    /// The configuration the `ewelink` tool and the hub use, read from the environment and files:
    /// the store in `$EWELINK_HOME` (else `$XDG_CONFIG_HOME/ewelink`, else `~/.config/ewelink`);
    /// the cloud from `EWELINK_APP_ID`, `EWELINK_APP_SECRET`, `EWELINK_API_URL`, `EWELINK_CA_FILE`
    /// or the folder's `config.json`, with `SSL_CERT_FILE`, `SSL_CERT_DIR`, `HTTPS_PROXY` and
    /// `NO_PROXY`. No cloud when no app credentials are found, or when `cloud` is false.
    ///
    /// - Throws: `CloudError` when `config.json` exists but cannot be read safely.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       apiURL: String? = nil, cloud: Bool = true) throws(CloudError) -> EWeLinkConfiguration {
        let home = DeviceStore.homeDirectory(environment: environment)
        var configuration = EWeLinkConfiguration(storeDirectory: home)
        guard cloud else { return configuration }
        let settings = try CloudConfig.load(environment: environment, apiURL: apiURL)
        if let credentials = settings.credentials {
            var c = Cloud(appID: credentials.appID, appSecret: credentials.appSecret, transport: settings.transport)
            c.endpoints = settings.endpoints
            configuration.cloud = c
        }
        return configuration
    }
}

extension EWeLinkConfiguration {
    /// ``fromEnvironment(_:apiURL:cloud:)``, or the environment's store with no cloud when the
    /// cloud settings cannot be read: unreadable settings leave the CLI and the hub on the LAN, as
    /// no settings do.
    package static func fromEnvironmentOrLANOnly(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                                 apiURL: String? = nil, cloud: Bool = true) -> EWeLinkConfiguration {
        (try? fromEnvironment(environment, apiURL: apiURL, cloud: cloud))
            ?? EWeLinkConfiguration(storeDirectory: DeviceStore.homeDirectory(environment: environment))
    }
}

extension EWeLinkConfiguration.Cloud {
    /// A REST client with the session stored in `directory` (if any), sharing the calling rate
    /// limits with every other process using that folder.
    package func client(sessionIn directory: String) throws(CloudError) -> CloudClient {
        if let problem = transport.problem { throw .settings(problem) }
        do { try AtomicFile.ensureDirectory(directory) } catch { throw .tokenStore(error.description) }
        let sessions = CloudSessionStore(directory: directory)
        return CloudClient(credentials: credentials, endpoints: endpoints, session: try sessions.load(), sessionStore: sessions,
                           limiter: CloudRateLimiter(sharedThrough: directory + "/cloud-calls.json"), transport: transport)
    }
}
