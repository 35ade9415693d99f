// The eWeLink devices announced on the LAN, with their names and typed state.
import EWeLink

let client = EWeLinkClient(configuration: try .fromEnvironment(cloud: false))
let survey = try await client.discover(timeout: .seconds(3))
for device in survey.devices {
    let state = device.state.map { s in s.channels.map { "\($0.index):\($0.isOn ? "on" : "off")" }.joined(separator: " ") }
    print(device.id, device.name ?? "-", device.type, "\(device.host):\(device.port)", state ?? "(encrypted, no key)")
}
print("\(survey.devices.count) devices\(survey.complete ? "" : " (the list may be incomplete)")")
await client.shutdown()
