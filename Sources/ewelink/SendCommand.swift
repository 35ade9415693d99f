import ArgumentParser
import EWeLink
import EWeLinkHubClient
import EWeLinkLAN

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Send raw params to a device, e.g. '{\"pulse\":\"on\",\"pulseWidth\":2000}'.",
        discussion: "The endpoint is the first key of the params (sledOnline → sledonline, brightness → dimmable) "
            + "unless --endpoint is given. " + ExitStatus.help)

    @Argument(help: "The device: its id or its name.")
    var device: String

    @Argument(help: "The params, a JSON object.")
    var params: String

    @Option(help: "The zeroconf endpoint to post to (default: derived from the params).")
    var endpoint: String?

    @OptionGroup var common: DeviceCommandOptions

    func parsedParams() throws -> JSONObject {
        do {
            guard let o = try JSONValue.parse(params).objectValue else { throw fail("params must be a JSON object") }
            return o
        } catch let error as JSONParseError {
            throw fail("params are not JSON: \(error)")
        }
    }

    func run() async throws {
        let object = try parsedParams()
        let client = common.client()
        do {
            let result = try await common.withinTimeout { () async throws(ControlError) in
                try await client.send(object, to: DeviceReference(device), endpoint: endpoint, via: common.route)
            }
            report(result, name: device, json: common.json)
        } catch {
            throw fail(error, device: device)
        }
    }
}
