import EWeLinkCloud
import EWeLinkSimulator
import Foundation

/// A simulator (HTTP only) with its mock cloud on a free port.
public func startCloud(_ kinds: [(type: String, encrypted: Bool)], tokenLifetimeSeconds: Int = 3600, hbInterval: Int = 145,
                mdns: Bool = false) async throws -> (Simulator, MockCloud, CloudTestFleet) {
    let spec = CloudTestFleet(kinds, tokenLifetimeSeconds: tokenLifetimeSeconds, hbInterval: hbInterval)
    let sim = try await spec.startSimulator(mdns: mdns)
    return (sim, sim.cloud!, spec)
}

/// One limiter per test, shared by all its clients, as in one process.
public func client(_ cloud: MockCloud, _ spec: CloudTestFleet, secret: String? = nil, appID: String? = nil,
            home: String? = nil, limiter: CloudRateLimiter) -> CloudClient {
    CloudClient(credentials: CloudCredentials(appID: appID ?? spec.appID, appSecret: secret ?? spec.appSecret),
                endpoints: CloudEndpoints(override: cloud.baseURL),
                sessionStore: home.map { CloudSessionStore(directory: $0) }, limiter: limiter)
}

public func temporaryHome() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-cloud-\(UUID().uuidString)").path
}
