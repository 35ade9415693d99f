import ArgumentParser
import EWeLink

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a device's current state.",
        discussion: "From its latest mDNS announcement, or by asking the device at its known address; through the "
            + "cloud when the LAN cannot tell and you are logged in. " + ExitStatus.help)

    @Argument(help: "The device: its id or its name.")
    var device: String

    @OptionGroup var common: DeviceCommandOptions

    func run() async throws {
        let router = try common.router()
        do {
            let result = try await router.state(of: device, via: common.route)
            if common.json {
                printLine(result.json.serialized)
            } else {
                printLine("\(device): \(StateSummary.describe(result.state)) (seq \(result.seq.map(String.init) ?? "?"), from \(result.source))")
                printLine(result.state.serialized)
            }
        } catch {
            throw fail(error, device: device)
        }
    }
}
