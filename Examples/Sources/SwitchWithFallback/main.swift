// Switch a device on, then off: over the LAN when it answers there, else through the cloud.
// Usage: SwitchWithFallback DEVICE [CHANNEL]
import EWeLink

let arguments = CommandLine.arguments.dropFirst()
guard let name = arguments.first else { fatalError("usage: SwitchWithFallback DEVICE [CHANNEL]") }
let channel = arguments.dropFirst().first.flatMap { Int($0) }
try await EWeLinkClient.withClient(.fromEnvironment()) { client in
    for on in [true, false] {
        let result = on ? try await client.turnOn(DeviceReference(name), channel: channel)
                        : try await client.turnOff(DeviceReference(name), channel: channel)
        let ms = Double(result.elapsed.components.attoseconds) / 1e15 + Double(result.elapsed.components.seconds) * 1000
        print("\(result.name ?? result.deviceID) \(on ? "on" : "off"): route \(result.route), \(Int(ms)) ms, now \(result.state?.summary ?? "?")")
    }
}
