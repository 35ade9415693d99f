import ArgumentParser
import EWeLink
import EWeLinkCloud
import EWeLinkHubClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Log in to the eWeLink cloud (once), keeping the session in $EWELINK_HOME.",
        discussion: """
            App credentials come from EWELINK_APP_ID / EWELINK_APP_SECRET or $EWELINK_HOME/config.json. \
            The password is read from --password-stdin, EWELINK_PASSWORD, or a prompt; it is never stored. \
            Then run `ewelink sync` to keep every device's key locally.
            """)

    @Option(help: "The account's email.")
    var email: String?
    @Option(help: "The account's phone number, with its country code (+8613800000000).")
    var phone: String?
    @Option(help: "Country code of the account, e.g. +1, +44, +49, +86.")
    var countryCode: String = "+1"
    @Option(help: "Region to try first (cn, as, us, eu); the cloud redirects when it is another.")
    var region: String = "us"
    @Flag(help: "Read the password from standard input.")
    var passwordStdin = false
    @Option(help: "Base URL of the API instead of the eWeLink hosts ({region} is replaced), e.g. a mock cloud.")
    var apiUrl: String?
    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        guard (email == nil) != (phone == nil) else { throw fail("give either --email or --phone") }
        guard countryCode.hasPrefix("+"), countryCode.dropFirst().allSatisfy(\.isNumber) else {
            throw fail("--country-code must look like +49")
        }
        guard let start = CloudRegion(rawValue: region) else { throw fail("--region must be cn, as, us or eu") }
        let password = try readPassword()
        do {
            var configuration = try EWeLinkConfiguration.fromEnvironment(apiURL: apiUrl)
            configuration.cloud?.region = start
            let client = EWeLinkClient(configuration: configuration)
            let session = try await client.login(email: email, phoneNumber: phone, password: password, countryCode: countryCode)
            if json {
                printLine(JSONValue.object(["account": .string(session.account), "region": .string(session.region.rawValue),
                                            "apikey": .string(session.apikey)]).serialized)
            } else {
                printLine("logged in as \(session.account) (region \(session.region.rawValue)); now run `ewelink sync`")
            }
        } catch {
            throw fail(error.description + advice(for: error), code: ExitStatus.cloud)
        }
    }

    private func readPassword() throws -> String {
        if passwordStdin {
            let line = readLine(strippingNewline: true) ?? ""
            guard !line.isEmpty else { throw fail("no password on standard input") }
            return line
        }
        if let env = ProcessInfo.processInfo.environment["EWELINK_PASSWORD"], !env.isEmpty { return env }
        guard let typed = getpass("eWeLink password: "), typed.pointee != 0 else { throw fail("no password given") }
        return String(cString: typed)
    }
}
