/// The eWeLink cloud regions and their hosts: the one table of them.
public enum CloudRegion: String, Sendable, CaseIterable {
    /// Mainland China (`cn-apia.coolkit.cn`).
    case cn
    /// Asia (`as-apia.coolkit.cc`).
    case `as`
    /// The Americas (`us-apia.coolkit.cc`).
    case us
    /// Europe (`eu-apia.coolkit.cc`).
    case eu

    /// REST API base (`https://{region}-apia.coolkit.{cn|cc}`); mainland China uses `.cn`.
    public var apiBase: String { "https://\(rawValue)-apia.coolkit.\(tld)" }

    /// WebSocket dispatch service (`GET …/dispatch/app`, Bearer).
    public var dispatchURL: String { "https://\(rawValue)-dispa.coolkit.\(tld)/dispatch/app" }

    private var tld: String { self == .cn ? "cn" : "cc" }

    /// The global host, for the region lookup (`GET /v2/utils/get-region?countryCode=+86`, Sign).
    public static let globalAPIBase = "https://apia.coolkit.cn"

    /// The region's name for people (`Europe`).
    public var description: String {
        switch self {
        case .cn: return "mainland China"
        case .`as`: return "Asia"
        case .us: return "Americas"
        case .eu: return "Europe"
        }
    }
}
