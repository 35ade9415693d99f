import EWeLink
import EWeLinkLAN
import Foundation
import Testing
import TestSupport

/// The probe that brings a LAN marked down back into service, against simulated devices over
/// loopback.
@Suite("Probing a LAN marked down", .serialized)
struct LANProbeTests {
    @Test("Only a real reply counts: a port that accepts connections and never answers stays down")
    func realReplyOnly() async throws {
        let (sim, _, store) = try await RouterTests.setUp([("plug", true), ("plug", false)])
        defer { Task { await sim.stop() } }
        let lan = LANController(store: store, options: RouterDecisionTests.lanOptions())
        for d in sim.devices {
            for _ in 0..<LANHealth.failuresBeforeDown { lan.noteFailure(d.id) }
            let device = try await lan.device(d.id)
            #expect(device.lanHealth.isDown)

            _ = await d.setFaults { $0.lan = .blackhole }
            let started = ContinuousClock.now
            #expect(await lan.probe(device, timeout: .milliseconds(300)) == false, "\(d.id) accepts but never answers")
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(250) && waited < .seconds(1), "the probe is bounded by its timeout: \(waited)")
            var stored = try #require(try lan.directory.stored(d.id))
            #expect(stored.lanHealth.isDown && stored.lanHealth.lastProbe != nil)

            _ = await d.setFaults { $0.lan = .ok }
            #expect(await lan.probe(device, timeout: .milliseconds(300)), "\(d.id) answers again")
            stored = try #require(try lan.directory.stored(d.id))
            #expect(!stored.lanHealth.isDown && stored.lanHealth.failures == 0)
            // With a key the answer was the proof of the address.
            #expect(stored.addressVerified == !d.isDIY)
        }
    }

    @Test("For a device with a key, an answer from something else at its address does not count")
    func answerMustProve() async throws {
        let (sim, _, store) = try await RouterTests.setUp([("plug", true), ("plug", false)])
        defer { Task { await sim.stop() } }
        let lan = LANController(store: store, options: RouterDecisionTests.lanOptions())
        let keyed = try #require(sim.devices.first { !$0.isDIY }), other = try #require(sim.devices.first { $0.isDIY })
        for _ in 0..<LANHealth.failuresBeforeDown { lan.noteFailure(keyed.id) }
        var device = try await lan.device(keyed.id)
        // The DIY device listens (and answers) where the keyed one is said to be.
        device.port = other.snapshot.port
        #expect(await lan.probe(device, timeout: .milliseconds(300)) == false)
        #expect(try lan.directory.stored(keyed.id)?.lanHealth.isDown == true)
    }
}
