import EWeLink
import EWeLinkLAN
import Foundation
import Testing

func temporaryDirectory() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-test-\(UUID().uuidString)").path
    return dir
}

@Suite("Device store")
struct DeviceStoreTests {
    @Test("Written 0600 in a 0700 folder, atomically, with no temp files left; reads back equal")
    func permissionsAndRoundTrip() throws {
        let store = DeviceStore(directory: temporaryDirectory() + "/nested/ewelink")
        #expect(try store.load().isEmpty)
        let device = StoredDevice(id: "1000abc001", name: "Kitchen", devicekey: "secret-key", apikey: "owner", uiid: 1,
                                  type: .plug, channels: 1, host: "127.0.0.1", port: 18081, hostConfigured: true,
                                  lastState: ["switch": "on"], lastSeq: 4, lastSeen: Date(timeIntervalSince1970: 1_800_000_000))
        try store.update { $0.append(device) }
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let dirAttributes = try FileManager.default.attributesOfItem(atPath: store.directory)
        #expect((dirAttributes[.posixPermissions] as? Int) == 0o700)
        #expect(try store.load() == [device])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.directory).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test("A corrupt file is reported with its path and never overwritten")
    func corrupt() throws {
        let store = DeviceStore(directory: temporaryDirectory())
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        let garbage = Data("{\"devices\":[{\"id\":\"x\"".utf8)
        try garbage.write(to: URL(fileURLWithPath: store.path))
        #expect {
            try store.load()
        } throws: { error in
            guard case DeviceStoreError.corrupt(let path, _) = error else { return false }
            return path == store.path && (error as! DeviceStoreError).description.contains(store.path)
        }
        #expect(throws: DeviceStoreError.self) { try store.update { $0.append(StoredDevice(id: "1000000001")) } }
        #expect(try Data(contentsOf: URL(fileURLWithPath: store.path)) == garbage, "left untouched")
    }

    @Test("Concurrent read-modify-write cycles lose nothing (flock)")
    func concurrentUpdates() async throws {
        let store = DeviceStore(directory: temporaryDirectory())
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<40 {
                group.addTask {
                    try? store.update { $0.append(StoredDevice(id: String(format: "10%08d", n))) }
                }
            }
        }
        #expect(try store.load().count == 40)
    }

    @Test("Devices are found by id or by name, case-insensitively")
    func find() throws {
        let store = DeviceStore(directory: temporaryDirectory())
        let list = [StoredDevice(id: "1000abc001", name: "Kitchen"), StoredDevice(id: "1000ABC002", name: "Desk Strip")]
        #expect(store.find("kitchen", in: list)?.id == "1000abc001")
        #expect(store.find("DESK STRIP", in: list)?.id == "1000ABC002")
        #expect(store.find("1000abc002", in: list)?.id == "1000ABC002")
        #expect(store.find("garage", in: list) == nil)
    }

    @Test("EWELINK_HOME, then XDG_CONFIG_HOME, then ~/.config")
    func location() {
        #expect(DeviceStore.homeDirectory(environment: ["EWELINK_HOME": "/x"]) == "/x")
        #expect(DeviceStore.homeDirectory(environment: ["XDG_CONFIG_HOME": "/c", "HOME": "/h"]) == "/c/ewelink")
        #expect(DeviceStore.homeDirectory(environment: ["HOME": "/h"]) == "/h/.config/ewelink")
    }
}
