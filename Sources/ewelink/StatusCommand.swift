import ArgumentParser
import EWeLink
import EWeLinkHubClient

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

    func checkChannel() throws {
        if let channel, !(0...3).contains(channel) { throw fail("--channel must be 0...3") }
    }

    func run() async throws {
        try checkChannel()
        let client = common.client()
        let result: StateResult
        do {
            result = try await common.withinTimeout { () async throws(ControlError) in
                try await client.state(of: DeviceReference(device), via: common.route)
            }
        } catch {
            throw fail(error, device: device)
        }
        try Self.print(result, device: device, channel: channel, json: common.json)
    }

    /// Prints a state as the command does: one channel's switch with `channel`, JSON with `json`.
    static func print(_ result: StateResult, device: String, channel: Int?, json: Bool) throws {
        var o = result.json
        if let channel {
            guard let on = result.state.isOn(channel: channel) else {
                throw fail(CommandShape.noSuchChannel(channel, in: result.state.parameters))
            }
            o["channel"] = .int(channel)
            o["switch"] = .string(on ? "on" : "off")
        }
        if json {
            printLine(JSONValue.object(o).serialized)
        } else {
            show(o, device: device, channel: channel)
        }
    }

    /// The human lines of a status answer (`StateResult.json`, made here or by the hub).
    static func show(_ o: JSONObject, device: String, channel: Int?) {
        let seq = o["seq"]?.intValue.map(String.init) ?? "?"
        let source = o["source"]?.stringValue ?? "?"
        if let channel {
            printLine("\(device) channel \(channel): \(o["switch"]?.stringValue ?? "?") (seq \(seq), from \(source))")
            return
        }
        let state = o["state"]?.objectValue ?? [:]
        printLine("\(device): \(StateSummary.describe(state)) (seq \(seq), from \(source))")
        printLine(JSONValue.object(state).serialized)
    }
}
