/// Where the cloud is: the real regional hosts, or one base URL for all of them (a mock cloud,
/// `EWELINK_API_URL` / `--api-url`), in which `{region}` is replaced by the region code.
public struct CloudEndpoints: Sendable, Equatable {
    /// One base URL for every call, dispatch and WebSocket included (a test cloud); `{region}` in it is replaced by the region code. nil: the real regional hosts.
    public var override: String?

    /// The real hosts, or `override` for all of them.
    public init(override: String? = nil) {
        self.override = override.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    package func apiBase(_ region: CloudRegion) -> String {
        guard let override else { return region.apiBase }
        return override.replacing("{region}", with: region.rawValue)
    }

    /// The base for `path`: the global host for the region lookup, else the region's. A mock
    /// cloud serves the lookup under any region prefix.
    package func base(for path: String, region: CloudRegion) -> String {
        guard path == CloudAPI.getRegion.path else { return apiBase(region) }
        return override == nil ? CloudRegion.globalAPIBase : apiBase(.cn)
    }

    package func dispatchURL(_ region: CloudRegion) -> String {
        guard override != nil else { return region.dispatchURL }
        return apiBase(region) + "/dispatch/app"
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
