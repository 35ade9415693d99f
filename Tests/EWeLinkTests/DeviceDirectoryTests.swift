import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// What one command costs the store: one read, and a write only when something someone would
/// miss changed.
@Suite("Device directory: one store read per command, no needless writes")
struct DeviceDirectoryTests {
    /// A simulated plug (HTTP only) and a store that knows its key and address (given by hand, so
    /// no test here waits on mDNS), with `replyMs` as earlier replies left it (by default a 2 s
    /// reply: a slow reply of a loaded test machine is then no news worth a write).
    static func setUp(replyMs: [Double] = [2000]) async throws -> (Simulator, DeviceStore, SimulatedDevice) {
        let (sim, d) = try await StoreFixture.plug()
        let store = DeviceStore(directory: temporaryDirectory())
        try StoreFixture.add(d, to: store, replyMs: replyMs)
        return (sim, store, d)
    }

    @Test("`on` by name reads devices.json once, through the router and through the LAN controller")
    func oneRead() async throws {
        // Earlier replies took up to 2 s (setUp): no reply within the 3 s LAN wait, however loaded
        // the test machine, makes the learnt wait grow (which would be worth a write).
        let (sim, store, d) = try await Self.setUp()
        defer { Task { await sim.stop() } }
        // The first command learns the device's state: that is written.
        _ = try await Router(lan: LANController(store: store)).power(.on, d.config.name)
        for action in [PowerAction.off, .on, .off] {
            let reads = store.access.readCount, writes = store.access.writeCount
            let r = try await Router(lan: LANController(store: store)).power(action, d.config.name)
            #expect(r.route == .lan && r.state != nil)
            #expect(store.access.readCount - reads == 1, "router: \(store.access.readCount - reads) reads")
            let file = String(decoding: try StoreFixture.fileState(store).1, as: UTF8.self)
            #expect(store.access.writeCount == writes, "nothing the next process would miss changed: \(file)")
            let lanReads = store.access.readCount, lanWrites = store.access.writeCount
            #expect(try await LANController(store: store).power(action, d.config.name).state != nil)
            // A write (none expected) reads under its lock too: only the lookup read counts here.
            let written = store.access.writeCount - lanWrites
            #expect(store.access.readCount - lanReads - written == 1, "LAN controller: \(store.access.readCount - lanReads) reads")
            #expect(written == 0)
        }
        #expect(d.snapshot.params["switch"] == "off")
    }

    @Test("What someone would miss is written at once: a LAN failure, then the recovery")
    func materialChangesAreWritten() async throws {
        let (sim, store, d) = try await Self.setUp()
        defer { Task { await sim.stop() } }
        _ = try await LANController(store: store).power(.on, d.id)
        _ = await d.setFaults { $0.lan = .refuse }
        await #expect(throws: ControlError.self) { try await LANController(store: store).power(.off, d.id) }
        #expect(try store.load()[0].lanHealth.failures == 1, "a failure counts for the next process")
        _ = await d.setFaults { $0.lan = .ok }
        _ = try await LANController(store: store).power(.off, d.id)
        #expect(try store.load()[0].lanHealth.failures == 0, "and so does the recovery")
    }

    @Test("Bookkeeping kept in memory is seen by the same process and goes out with the next write")
    func batched() async throws {
        let (sim, store, d) = try await Self.setUp()
        defer { Task { await sim.stop() } }
        let lan = LANController(store: store)
        _ = try await lan.power(.on, d.id)
        let firstSeen = try #require(try store.load()[0].lastSeen)
        try await Task.sleep(for: .milliseconds(20))
        _ = try await lan.power(.on, d.id)
        #expect(try store.load()[0].lastSeen == firstSeen, "not written for a timestamp")
        #expect(try lan.directory.devices()[0].lastSeen! > firstSeen, "but this process knows")
        let writes = store.access.writeCount
        lan.directory.flush()
        #expect(store.access.writeCount == writes + 1, "flushed")
        lan.directory.flush()
        #expect(store.access.writeCount == writes + 1, "nothing left to flush")
    }

    @Test("Another process's write is seen: the file is read again when it was replaced")
    func otherProcessWrite() async throws {
        let (sim, store, d) = try await Self.setUp()
        defer { Task { await sim.stop() } }
        let lan = LANController(store: store)
        _ = try await lan.power(.on, d.id)
        try DeviceStore(directory: store.directory).update(device: d.id) { $0.name = "Renamed" }
        #expect(try await lan.device("renamed").id == d.id)
    }

    @Test("A store that cannot be written is reported, not swallowed; the command still succeeds")
    func storeProblemsReported() async throws {
        let (sim, store, d) = try await Self.setUp()
        defer { Task { await sim.stop() } }
        let lan = LANController(store: store)
        // The store's lock cannot be taken (its lock file is a folder), even by root.
        try FileManager.default.removeItem(atPath: store.path + ".lock")
        try FileManager.default.createDirectory(atPath: store.path + ".lock", withIntermediateDirectories: false)
        #expect(try await lan.power(.on, d.id).state != nil)
        #expect(!lan.directory.storeProblems.isEmpty, "the failed write of the first reply time is reported")
    }
}
