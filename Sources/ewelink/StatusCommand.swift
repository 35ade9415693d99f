import ArgumentParser
import EWeLink

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a device's current state.",
        discussion: "From its latest mDNS announcement, or by asking the device at its known address; through the "
            + "cloud when the LAN cannot tell and you are logged in. " + ExitStatus.help)

    @Argument(help: "The device: its id or its name.")
    var device: String

    @Option(help: "Show one channel only: an outlet 0-3 (fan_light: 0 light, 1 fan).")
    var channel: Int?

    @OptionGroup var common: DeviceCommandOptions

    func run() async throws {
        if let channel, !(0...3).contains(channel) { throw fail("--channel must be 0...3") }
        let router = try common.router()
        do {
            let result = try await router.state(of: device, via: common.route)
            if let channel {
                guard let on = CommandShape.isOn(result.state, channel: channel) else {
                    throw fail(Self.noSuchChannel(channel, in: result.state))
                }
                let value = on ? "on" : "off"
                if common.json {
                    var o = result.json
                    o["channel"] = .int(channel)
                    o["switch"] = .string(value)
                    printLine(JSONValue.object(o).serialized)
                } else {
                    printLine("\(device) channel \(channel): \(value) (seq \(result.seq.map(String.init) ?? "?"), from \(result.source))")
                }
                return
            }
            if common.json {
                printLine(result.json.serialized)
            } else {
                printLine("\(device): \(StateSummary.describe(result.state)) (seq \(result.seq.map(String.init) ?? "?"), from \(result.source))")
                printLine(result.state.serialized)
            }
        } catch let error as ControlError {
            throw fail(error, device: device)
        }
    }

    static func noSuchChannel(_ channel: Int, in state: JSONObject) -> String {
        if let outlets = state["switches"]?.arrayValue?.compactMap({ $0["outlet"]?.intValue }).sorted(), !outlets.isEmpty {
            return "channel \(channel) does not exist: this device has channels \(outlets.map(String.init).joined(separator: ", "))"
        }
        if state["switch"] != nil { return "this is a single-channel device: --channel must be 0 or left out" }
        return "the state of this device has no channel \(channel)"
    }
}
