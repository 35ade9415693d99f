import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// A simulator publishing through the avahi-daemon, and a watcher following it.
func announced(_ fleet: Fleet) async throws -> (Simulator, MDNSWatcher) {
    let watcher = try MDNSWatcher()
    let sim = Simulator(fleet: fleet)
    try await sim.start()
    return (sim, watcher)
}

@Suite("Simulator over the real avahi-daemon", .serialized)
struct SimulatorMDNSTests {
    @Test("Every device is announced on lo with correct, decryptable TXT; DIY is plain")
    func announcesFleet() async throws {
        let (sim, watcher) = try await announced(TestFleet.allKinds())
        defer { watcher.stop(); Task { await sim.stop() } }
        for device in sim.devices {
            let name = "eWeLink_\(device.id)"
            try await eventually(name) { watcher.latest(name)?.announcement != nil }
            let seen = try #require(watcher.latest(name))
            #expect(seen.service.address == "127.0.0.1")
            #expect(Int(seen.service.port) == device.snapshot.port)
            #expect(Array(seen.service.txt.map(\.key).prefix(5)) == ["txtvers", "id", "type", "apivers", "seq"])
            let ann = try #require(seen.announcement)
            #expect(ann.deviceID == device.id)
            #expect(ann.type == device.config.type)
            #expect(ann.seq == 1)
            #expect(ann.encrypted == !device.isDIY)
            #expect(seen.service.txtRecords["txtvers"] == "1" && seen.service.txtRecords["apivers"] == "1")
            for pair in seen.service.txt where pair.key.hasPrefix("data") { #expect(pair.value.utf8.count <= 249) }
            #expect(try ann.state(devicekey: device.config.devicekey) == device.snapshot.params)
        }
        // The 4-outlet strip needs several data chunks.
        let strip = sim.devices.first { $0.config.type == .strip }!
        #expect(watcher.latest("eWeLink_\(strip.id)")!.service.txtRecords["data2"] != nil)
    }

    @Test("A set command re-announces with seq+1 and a fresh IV; a button press too")
    func reannounces() async throws {
        let (sim, watcher) = try await announced(TestFleet.make([("plug", true)]))
        defer { watcher.stop(); Task { await sim.stop() } }
        let device = sim.devices[0]
        let name = "eWeLink_\(device.id)"
        try await eventually { watcher.latest(name)?.announcement?.seq == 1 }
        let firstIV = watcher.latest(name)?.announcement?.iv
        let client = TestZeroconf(device: device.config, port: device.snapshot.port)
        let (reply, _) = try await client.send("switch", ["switch": "on"])
        #expect(reply.error == 0 && reply.seq == 2)
        try await eventually("seq 2 announced") { watcher.latest(name)?.announcement?.seq == 2 }
        let ann = try #require(watcher.latest(name)?.announcement)
        #expect(ann.iv != firstIV)
        #expect(try ann.state(devicekey: device.config.devicekey)?["switch"] == "on")

        device.press()
        try await eventually("seq 3 announced") { watcher.latest(name)?.announcement?.seq == 3 }
        #expect(try watcher.latest(name)?.announcement?.state(devicekey: device.config.devicekey)?["switch"] == "off")
    }

    @Test("announce:false withdraws the service; reboot goes silent and comes back with seq 1")
    func withdrawAndReboot() async throws {
        let (sim, watcher) = try await announced(TestFleet.make([("plug", true)]))
        defer { watcher.stop(); Task { await sim.stop() } }
        let device = sim.devices[0]
        let name = "eWeLink_\(device.id)"
        let control = sim.controlPort
        try await eventually { watcher.latest(name)?.announcement != nil }

        var r = await RawHTTP.post(port: control, path: "/devices/\(device.id)/fault", body: Array(#"{"announce":false}"#.utf8))
        #expect(r.status == 200)
        try await eventually("removed") { watcher.latest(name)?.removed == true }
        r = await RawHTTP.post(port: control, path: "/devices/\(device.id)/fault", body: Array(#"{"announce":true}"#.utf8))
        try await eventually("back") { watcher.latest(name)?.removed == false }

        // Bump seq, then reboot: the device withdraws, closes its port, and returns with seq 1.
        let client = TestZeroconf(device: device.config, port: device.snapshot.port)
        _ = try await client.send("switch", ["switch": "on"])
        _ = try await client.send("startup", ["startup": "off"])
        try await eventually { watcher.latest(name)?.announcement?.seq == 3 }
        r = await RawHTTP.post(port: control, path: "/devices/\(device.id)/fault", body: Array(#"{"reboot":true}"#.utf8))
        #expect(r.status == 200)
        try await eventually("withdrawn for reboot") { watcher.latest(name)?.removed == true }
        let during = await RawHTTP.post(port: device.snapshot.port, path: "/zeroconf/info", body: [])
        #expect(during == .refused)
        try await eventually("back after reboot") {
            let seen = watcher.latest(name)
            return seen?.removed == false && seen?.announcement?.seq == 1
        }
        // startup=off applied at power-on.
        #expect(device.snapshot.params["switch"] == "off")
        let (info, _) = try await client.send("sledonline", ["sledOnline": "on"])
        #expect(info.seq == 2)
    }

    @Test("Enhanced and TH devices publish changing readings")
    func readings() async throws {
        let (sim, watcher) = try await announced(TestFleet.make([("enhanced_plug", true), ("th_plug", true)],
                                                                 readingsIntervalMs: 1000))
        defer { watcher.stop(); Task { await sim.stop() } }
        for device in sim.devices {
            let name = "eWeLink_\(device.id)"
            try await eventually(timeout: .seconds(15), "readings of \(device.config.type)") {
                (watcher.latest(name)?.announcement?.seq ?? 0) >= 3
            }
            let state = try #require(try watcher.latest(name)?.announcement?.state(devicekey: device.config.devicekey))
            if device.config.type == .enhancedPlug {
                #expect(state["voltage"]?.doubleValue.map { $0 > 200 } == true)
            } else {
                #expect(state["currentTemperature"]?.doubleValue != nil)
                #expect(state["currentHumidity"]?.doubleValue != nil)
            }
        }
    }
}
