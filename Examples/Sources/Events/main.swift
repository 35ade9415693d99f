// Every change of every device (LAN announcements, command replies, cloud pushes) for N seconds
// (default 10), each with the device's name and typed state. Usage: Events [SECONDS]
import EWeLink

let seconds = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 10
try await EWeLinkClient.withClient(.fromEnvironment()) { client in
    let events = try client.events(from: .knownDevices)
    Task { try await Task.sleep(for: .seconds(seconds)); await client.shutdown() }
    for await event in events {
        var line = "\(event.name ?? event.deviceID) \(event.source) \(event.kind)"
        if let state = event.state {
            line += " \(state.summary)"
            if let watts = state.power { line += " [\(watts) W]" }
        }
        print(line)
    }
}
