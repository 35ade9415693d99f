import EWeLink
import EWeLinkCloud
import Foundation
import Testing
import TestSupport

@Suite("Key sync into the device store")
struct KeySyncTests {
    @Test("sync writes keys, apikeys, uiid, model, firmware and channels; LAN control then needs no cloud")
    func sync() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true), ("strip", true), ("diy_plug", false)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let c = client(cloud, spec, limiter: limiter)
        _ = try await c.login(email: spec.ownerEmail, password: spec.ownerPassword, countryCode: "+49", region: .eu)
        let store = DeviceStore(directory: temporaryHome())
        let report = try await KeySync.sync(client: c, store: store)
        #expect(report.added.count == 3 && report.withoutKey == [sim.devices[2].id])
        let stored = try store.load()
        for d in sim.devices {
            let s = try #require(stored.first { $0.id == d.id })
            #expect(s.devicekey == d.config.devicekey && s.apikey == d.config.apikey && s.uiid == d.config.uiid)
            #expect(s.model == d.config.model && s.fwVersion == d.config.fwVersion && s.name == d.config.name)
        }
        #expect(stored.first { $0.id == sim.devices[1].id }?.channels == 4)
        let again = try await KeySync.sync(client: c, store: store)
        #expect(again.added.isEmpty && again.updated.isEmpty, "a second sync changes nothing")
        // Offline afterwards: the key works on the LAN with the address added by hand.
        try store.update { list in
            let i = list.firstIndex { $0.id == sim.devices[0].id }!
            list[i].host = "127.0.0.1"
            list[i].port = sim.devices[0].snapshot.port
        }
        let lan = LANController(store: store)
        #expect(try await lan.power(.on, sim.devices[0].config.name).state != nil)
        #expect(sim.devices[0].snapshot.params["switch"] == "on")
    }
}
