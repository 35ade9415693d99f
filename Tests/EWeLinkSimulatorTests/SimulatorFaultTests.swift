import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Synchronization
import Testing
import TestSupport

@Suite("Simulator connection behaviour and faults")
struct SimulatorFaultTests {
    func fault(_ sim: Simulator, _ id: String, _ body: String) async -> RawHTTPResult {
        await RawHTTP.post(port: sim.controlPort, path: "/devices/\(id)/fault", body: Array(body.utf8))
    }

    @Test("One connection at a time: a second concurrent connection is reset; replies close the connection")
    func singleConnection() async throws {
        let sim = try await startHTTPOnly([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let held = try #require(RawHTTP.holdConnection(port: d.snapshot.port))
        try await Task.sleep(for: .milliseconds(100))
        let body = try ZeroconfRequest.encrypted(["switch": "on"], deviceID: d.id, cipher: DeviceCipher(devicekey: d.config.devicekey!)).body
        let second = await RawHTTP.post(port: d.snapshot.port, path: "/zeroconf/switch", body: body)
        #expect(second == .reset)
        RawHTTP.closeConnection(held)
        try await Task.sleep(for: .milliseconds(100))
        let third = await RawHTTP.post(port: d.snapshot.port, path: "/zeroconf/switch", body: body)
        guard case .response(200, let headers, _) = third else { Issue.record("\(third)"); return }
        #expect(headers["connection"] == "close")
        // Back-to-back sequential requests are all served.
        let c = TestZeroconf(device: d.config, port: d.snapshot.port)
        for _ in 0..<20 { #expect(try await c.send("switch", ["switch": "off"]).response.error == 0) }
    }

    @Test("lan faults: refuse, blackhole, reset, garbage, delayMs, then ok again")
    func lanFaults() async throws {
        let sim = try await startHTTPOnly([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let port = d.snapshot.port
        let body = try ZeroconfRequest.encrypted(["switch": "on"], deviceID: d.id, cipher: DeviceCipher(devicekey: d.config.devicekey!)).body

        #expect(await fault(sim, d.id, #"{"lan":"refuse"}"#).status == 200)
        #expect(await RawHTTP.post(port: port, path: "/zeroconf/switch", body: body) == .refused)

        #expect(await fault(sim, d.id, #"{"lan":"blackhole"}"#).status == 200)
        #expect(await RawHTTP.post(port: port, path: "/zeroconf/switch", body: body, timeout: 0.6) == .timeout)

        #expect(await fault(sim, d.id, #"{"lan":"reset"}"#).status == 200)
        let reset = await RawHTTP.post(port: port, path: "/zeroconf/switch", body: body)
        #expect(reset == .reset || reset == .closed)

        #expect(await fault(sim, d.id, #"{"lan":"garbage"}"#).status == 200)
        let garbage = await RawHTTP.post(port: port, path: "/zeroconf/switch", body: body)
        #expect(garbage.status == 200)
        #expect(throws: ZeroconfCodecError.self) { try ZeroconfResponse.parse(garbage.body ?? []) }

        #expect(await fault(sim, d.id, #"{"lan":"ok","delayMs":300}"#).status == 200)
        let started = ContinuousClock.now
        let slow = await RawHTTP.post(port: port, path: "/zeroconf/switch", body: body)
        #expect(ContinuousClock.now - started >= .milliseconds(290))
        #expect(try ZeroconfResponse.parse(slow.body ?? []).error == 0)
        #expect(d.snapshot.params["switch"] == "on")

        #expect(await fault(sim, d.id, #"{"delayMs":0,"online":false}"#).status == 200)
        #expect(d.snapshot.online == false)
    }

    @Test("A device's port is never free while it cycles refuse and ok: a neighbour binding it never can")
    func portHeldAcrossRestarts() async throws {
        let server = LoopbackHTTPServer(port: 0, oneConnectionAtATime: true) { _ in
            .respond(status: .ok, contentType: "text/plain", body: Array("mine".utf8))
        }
        try await server.start()
        let port = server.port
        let stop = Atomic<Bool>(false)
        // A neighbour trying to bind the port as fast as it can while the device cycles.
        let found = Atomic<Int>(0)
        let done = Atomic<Bool>(false)
        Thread.detachNewThread {
            while !stop.load(ordering: .relaxed) {
                if RawHTTP.portIsFree(port) { found.add(1, ordering: .relaxed) }
            }
            done.store(true, ordering: .releasing)
        }
        for _ in 0..<200 {
            await server.stop(holdingPort: true)
            try await server.start()
        }
        stop.store(true, ordering: .relaxed)
        while !done.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(found.load(ordering: .relaxed) == 0, "the port was free for a neighbour while the device restarted")
        #expect(server.port == port)
        let reply = await RawHTTP.request(port: port, method: "GET", path: "/", body: [])
        #expect(reply.body == Array("mine".utf8))
        await server.stop(holdingPort: true)
        let held = await RawHTTP.post(port: port, path: "/", body: [])
        #expect(held == .refused, "\(held)")
        await server.stop()
    }

    @Test("Control API: devices, press, validation of fault bodies")
    func controlAPI() async throws {
        let sim = try await startHTTPOnly([("strip", true), ("diy_plug", false)])
        defer { Task { await sim.stop() } }
        let list = await RawHTTP.request(port: sim.controlPort, method: "GET", path: "/devices", body: [])
        let devices = try #require(try JSONValue.parse(list.body ?? []).arrayValue)
        #expect(devices.count == 2)
        #expect(devices[0]["params"]?["switches"]?.arrayValue?.count == 4)
        #expect(devices[0]["devicekey"] == nil, "keys are not exposed")
        let strip = sim.devices[0]
        let pressed = await RawHTTP.post(port: sim.controlPort, path: "/devices/\(strip.id)/press", body: Array(#"{"outlet":3}"#.utf8))
        #expect(pressed.status == 200)
        #expect(strip.snapshot.params["switches"]!.arrayValue![3]["switch"] == "on")
        #expect(strip.snapshot.seq == 2)
        #expect(await fault(sim, strip.id, #"{"lan":"sideways"}"#).status == 400)
        #expect(await fault(sim, strip.id, #"{"explode":true}"#).status == 400)
        #expect(await fault(sim, strip.id, "nope").status == 400)
        #expect(await fault(sim, "10nothere0", #"{"lan":"ok"}"#).status == 404)
        let press404 = await RawHTTP.post(port: sim.controlPort, path: "/devices/\(strip.id)/press", body: Array(#"{"outlet":9}"#.utf8))
        #expect(press404.status == 400)
    }
}

@Suite("Simulator under malformed requests")
struct SimulatorMalformedTests {
    @Test("Mutated request bodies always get a firmware error reply; the state only changes for valid commands")
    func mutatedBodies() async throws {
        let sim = try await startHTTPOnly([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let cipher = DeviceCipher(devicekey: d.config.devicekey!)
        let valid = try ZeroconfRequest.encrypted(["switch": "on"], deviceID: d.id, cipher: cipher).body
        var rng = SystemRandomNumberGenerator()
        var replies = 0
        for _ in 0..<150 {
            var body = valid
            for _ in 0..<Int.random(in: 1...3, using: &rng) where !body.isEmpty {
                body[Int.random(in: 0..<body.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            let seqBefore = d.snapshot.seq
            let r = await RawHTTP.post(port: d.snapshot.port, path: "/zeroconf/switch", body: body)
            guard case .response(200, _, let bytes) = r, let reply = try? ZeroconfResponse.parse(bytes) else {
                Issue.record("no firmware reply: \(r)")
                continue
            }
            replies += 1
            if reply.error == 0 {
                #expect(d.snapshot.seq == seqBefore + 1)
            } else {
                #expect([400, 401, 404, 422].contains(reply.error))
                #expect(d.snapshot.seq == seqBefore)
            }
        }
        #expect(replies == 150)
        let c = TestZeroconf(device: d.config, port: d.snapshot.port)
        #expect(try await c.send("switch", ["switch": "off"]).response.error == 0, "still serving")
    }
}
