import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// Issue 20, point 1, through the hub: a neighbour replays the device's genuine announcement and
/// acknowledges requests as firmware does, at the address the store remembers.
@Suite("The hub against a replayed announcement", .serialized)
struct HubTrustTests {
    @Test("A command through the hub reaches the real device, never the impostor at the remembered address")
    func replayAtRememberedAddress() async throws {
        let f = try await HubFixture([("plug", true)])
        defer { Task { await f.close() } }
        let device = f.sim.devices[0]
        let spoofer = try await Spoofer.replaying(device.id)
        defer { Task { await spoofer.stop() } }
        // A store from before the rule remembers the impostor's address.
        try DeviceStore(directory: f.home).update(device: device.id) { d in
            d.host = "127.0.0.1"
            d.port = spoofer.port
        }
        try await f.startHub()

        let on = try #require(await HubWire.request(f.socketPath, "POST", "/devices/\(device.id)/on"))
        #expect(on.status == 200, "\(on.text)")
        let body = try JSONValue.parse(on.text)
        #expect(body["route"] == "lan" && body["state"]?["switch"] == "on", "\(on.text)")
        #expect(device.snapshot.params["switch"] == "on", "the real device was switched")
        #expect(!spoofer.requests.contains("/zeroconf/switch"), "\(spoofer.requests)")
        let stored = try #require(try DeviceStore(directory: f.home).load().first)
        #expect(stored.port == device.snapshot.port && stored.addressVerified)
    }
}
