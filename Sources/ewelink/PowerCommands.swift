import ArgumentParser
import EWeLink

/// Arguments shared by on, off and toggle.
struct PowerArguments: ParsableArguments {
    @Argument(help: "The device: its id or its name (case-insensitive).")
    var device: String

    @Option(help: "Channel (outlet) of a multi-channel device, from 0; all channels when left out. fan_light: 0 light, 1 fan.")
    var channel: Int?

    @OptionGroup var common: DeviceCommandOptions

    func run(_ action: PowerAction) async throws {
        let client = common.client()
        do {
            let result = try await common.withinTimeout { () async throws(ControlError) in
                try await client.power(action, DeviceReference(device), channel: channel, via: common.route)
            }
            report(result, name: device, json: common.json)
        } catch {
            throw fail(error, device: device)
        }
    }
}
