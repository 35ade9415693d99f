// Discover the devices on the LAN, switch one (the cloud takes over when the LAN cannot reach it),
// and print every change for five seconds. Usage: Quickstart DEVICE (an id or a stored name).
import EWeLink

try await EWeLinkClient.withClient(.fromEnvironment()) { client in
    for device in try await client.discover().devices {
        print(device.id, device.name ?? "-", device.state?.summary ?? "(encrypted)")
    }
    let result = try await client.toggle(DeviceReference(CommandLine.arguments.dropFirst().first ?? "kitchen"))
    print("\(result.name ?? result.deviceID): \(result.state?.summary ?? "?") via \(result.route) in \(result.elapsed)")
    let events = try client.events()
    Task { try await Task.sleep(for: .seconds(5)); await client.shutdown() }
    for await event in events { print(event.name ?? event.deviceID, event.kind, event.state?.summary ?? "") }
}
