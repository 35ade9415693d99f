import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation

/// A simulated plug over HTTP only (no mDNS) and a store entry for it, with its address given by
/// hand: what the store-cost tests need.
public enum StoreFixture {
    public static func plug() async throws -> (Simulator, SimulatedDevice) {
        var options = Simulator.Options()
        options.publishMDNS = false
        let sim = Simulator(fleet: TestFleet.make([("plug", true)]), options: options)
        try await sim.start()
        return (sim, sim.devices[0])
    }

    /// Adds `d` to `store` with its key and address; `replyMs`: what earlier replies left.
    public static func add(_ d: SimulatedDevice, to store: DeviceStore, replyMs: [Double] = []) throws {
        try store.update { list in
            var stored = StoredDevice(id: d.id, name: d.config.name, devicekey: d.config.devicekey, apikey: d.config.apikey,
                                      uiid: d.config.uiid, type: d.config.type, channels: d.config.channels,
                                      host: "127.0.0.1", port: d.snapshot.port, hostConfigured: true,
                                      addressVerified: true)
            stored.lanHealth.replyMs = replyMs
            list.append(stored)
        }
    }

    /// The store file's modification time and bytes.
    public static func fileState(_ store: DeviceStore) throws -> (Date, [UInt8]) {
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        guard let mtime = attributes[.modificationDate] as? Date,
              let bytes = FileManager.default.contents(atPath: store.path) else {
            throw TestFailure("cannot read \(store.path)")
        }
        return (mtime, Array(bytes))
    }
}
