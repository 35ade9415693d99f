import EWeLinkCloud
import Hummingbird

/// A request's context in the mock cloud: what the gate read and checked before the route runs.
struct MockCloudContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The whole body (read once by the gate, at most 1 MiB).
    var body: [UInt8] = []
    /// The account of the request's access token, for Bearer calls.
    var account: Int?

    init(source: Source) { coreContext = .init(source: source) }
}

/// The checks every cloud interface shares, as Hummingbird middleware in front of each route:
/// the exchange is recorded, the rate limits counted, then the headers, the signature or the
/// token checked (`MockCloud.check`). A refusal is answered here and the route never runs.
struct MockCloudGate: RouterMiddleware {
    typealias Context = MockCloudContext

    let cloud: MockCloud
    let auth: MockCloud.AuthKind
    /// The name rate limits are counted under.
    let interface: String
    /// User interfaces want the app id even with a token.
    let appIDAlways: Bool

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        try await cloud.recorded {
            let (body, refusal) = try await cloud.check(request, context, auth: auth, interface: interface)
            if let refusal { return refusal }
            if appIDAlways && request.headers[.init("X-CK-Appid")!] != cloud.fleet.appID {
                return MockCloud.error(.appIDNoPermission, "appid is unauthorized")
            }
            var checked = context
            checked.body = body
            checked.account = cloud.bearerAccount(request)
            return try await next(request, checked)
        }
    }
}

extension MockCloud {
    /// Adds `api` under every prefix, behind the gate.
    func add(_ router: Router<MockCloudContext>, _ api: CloudAPI, auth: AuthKind, interface: String,
             appIDAlways: Bool = false,
             _ handler: @escaping @Sendable (Request, MockCloudContext) async throws -> Response) {
        let gate = MockCloudGate(cloud: self, auth: auth, interface: interface, appIDAlways: appIDAlways)
        for prefix in Self.prefixes {
            router.group().add(middleware: gate)
                .on(Self.route(api, prefix), method: HTTPRequest.Method(api.method)!) { request, context in
                    try await handler(request, context)
                }
        }
    }
}
