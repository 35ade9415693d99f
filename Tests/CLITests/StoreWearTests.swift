import EWeLink
import Foundation
import Testing
import TestSupport

/// A Raspberry Pi's SD card is not rewritten for each command.
@Suite("ewelink on, many times: devices.json untouched", .serialized)
struct StoreWearTests {
    @Test("`ewelink on` run 50 times against a device with a known address leaves devices.json's mtime and bytes unchanged")
    func fiftyRuns() async throws {
        let (sim, d) = try await StoreFixture.plug()
        defer { Task { await sim.stop() } }
        let store = DeviceStore(directory: FileManager.default.temporaryDirectory
            .appendingPathComponent("ewelink-wear-\(UUID().uuidString)").path)
        // Earlier replies took up to 2 s: no reply within the 3 s LAN wait, however loaded the test
        // machine, makes the learnt wait grow (which would be worth a write).
        try StoreFixture.add(d, to: store, replyMs: [2000])
        let env = ["EWELINK_HOME": store.directory]
        // The first run learns the state and when the device was seen: written once.
        var r = try await CommandRunner.run("ewelink", ["on", d.config.name], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let (mtime, bytes) = try StoreFixture.fileState(store)
        for _ in 0..<50 {
            r = try await CommandRunner.run("ewelink", ["on", d.config.name], environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.isEmpty, "no warning")
        }
        let (mtimeAfter, bytesAfter) = try StoreFixture.fileState(store)
        #expect(mtimeAfter == mtime)
        #expect(bytesAfter == bytes, "\(String(decoding: bytes, as: UTF8.self)) → \(String(decoding: bytesAfter, as: UTF8.self))")
        #expect(d.snapshot.params["switch"] == "on")
    }
}
