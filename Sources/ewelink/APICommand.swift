import ArgumentParser
import EWeLink
import EWeLinkCloud
import EWeLinkHubClient
import EWeLinkLAN
import NIOHTTP1

struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api", abstract: "Call any eWeLink cloud API v2 endpoint and print its data as JSON.",
        discussion: """
            Signing, tokens (refreshed once on 401/402), the region and the rate limits are handled. Examples:
              ewelink api GET /v2/device/thing num=0
              ewelink api GET /v2/device/thing/status type=1 id=1000abc001
              ewelink api POST /v2/device/thing/status '{"type":1,"id":"1000abc001","params":{"switch":"on"}}'
            A non-zero `error` exits with status 9 and its meaning on stderr.
            """)

    @Argument(help: "GET, POST, PUT or DELETE.")
    var method: String

    @Argument(help: "The path, e.g. /v2/device/thing.")
    var path: String

    @Argument(help: "A JSON body, or key=value query parameters.")
    var parameters: [String] = []

    @Flag(help: "Authorise with the app signature instead of the session token.")
    var sign = false

    @Option(help: "Base URL of the API instead of the eWeLink hosts ({region} is replaced).")
    var apiUrl: String?

    func run() async throws {
        let httpMethod = HTTPMethod(rawValue: method.uppercased())
        guard ["GET", "POST", "PUT", "DELETE"].contains(method.uppercased()) else {
            throw fail("METHOD must be GET, POST, PUT or DELETE")
        }
        guard path.hasPrefix("/v2/") || path.hasPrefix("/dispatch/") else { throw fail("PATH must start with /v2/") }
        var body: JSONObject? = nil
        var query: [(String, String)] = []
        if let first = parameters.first, first.hasPrefix("{") {
            guard parameters.count == 1 else { throw fail("give one JSON body, or key=value parameters") }
            do {
                guard let o = try JSONValue.parse(first).objectValue else { throw fail("the body must be a JSON object") }
                body = o
            } catch let error as JSONParseError {
                throw fail("the body is not JSON: \(error)")
            }
        } else {
            for p in parameters {
                guard let eq = p.firstIndex(of: "=") else { throw fail("'\(p)' is not key=value") }
                query.append((String(p[..<eq]), String(p[p.index(after: eq)...])))
            }
        }
        do {
            let client = try CloudConfig.load(apiURL: apiUrl).client()
            let auth: CloudClient.Auth = sign || client.session == nil ? .sign : .bearer
            let data = try await client.call(httpMethod, path, query: query, body: body, auth: auth)
            printLine(data.serialized)
        } catch {
            throw fail(error.description + advice(for: error), code: ExitStatus.cloud)
        }
    }
}
