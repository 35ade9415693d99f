import EWeLink
import EWeLinkLAN
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 20, point 4: a folder or file another user could have written is neither read nor
/// written, and nothing there is opened through a symbolic link.
@Suite("Device store ownership")
struct StoreOwnershipTests {
    /// Someone else's uid: `nobody` when we are root (the tests' usual case), else root.
    static var foreignUID: uid_t { geteuid() == 0 ? 65534 : 0 }

    /// A folder of ours (0700) holding a valid store with one device.
    static func storeWithOneDevice() throws -> DeviceStore {
        let store = DeviceStore(directory: temporaryDirectory())
        try store.update { $0.append(StoredDevice(id: "1000abc001", devicekey: "k", host: "127.0.0.1", port: 9)) }
        return store
    }

    static func isUnsafe(_ error: any Error) -> Bool {
        if case DeviceStoreError.unsafe = error { return true }
        return false
    }

    @Test("A planted devices.json.lock symlink is not followed: its target is not created, the update is refused")
    func symlinkLockNotFollowed() throws {
        let store = try Self.storeWithOneDevice()
        let target = temporaryDirectory() + "-target"
        let lock = store.directory + "/devices.json.lock"
        unlink(lock)
        #expect(symlink(target, lock) == 0)
        #expect(throws: DeviceStoreError.self) { try store.update { $0.append(StoredDevice(id: "1000abc002")) } }
        #expect(!FileManager.default.fileExists(atPath: target), "the link's target was created")
        do { try store.update { $0.append(StoredDevice(id: "1000abc002")) } } catch {
            #expect(Self.isUnsafe(error) && "\(error)".contains("symbolic link"), "\(error)")
        }
        #expect(try store.load().count == 1, "the store is unchanged")
    }

    @Test("A folder of another user is refused before anything is read or written")
    func foreignFolderRefused() throws {
        guard geteuid() == 0 else { return }   // chown needs root; the suite runs as root in CI
        let store = try Self.storeWithOneDevice()
        #expect(chown(store.directory, Self.foreignUID, Self.foreignUID) == 0)
        #expect(chown(store.path, geteuid(), getegid()) == 0)
        #expect { try store.load() } throws: { error in
            Self.isUnsafe(error) && "\(error)".contains("belongs to another user") && "\(error)".contains("a folder of your own")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: store.path))
        #expect(throws: DeviceStoreError.self) { try store.update { $0.removeAll() } }
        #expect(try Data(contentsOf: URL(fileURLWithPath: store.path)) == before)
    }

    @Test("A devices.json of another user in our folder is refused, not read")
    func foreignFileRefused() throws {
        guard geteuid() == 0 else { return }
        let store = try Self.storeWithOneDevice()
        #expect(chown(store.path, Self.foreignUID, Self.foreignUID) == 0)
        #expect { try store.load() } throws: { error in
            Self.isUnsafe(error) && "\(error)".contains("belongs to another user")
        }
        #expect(throws: DeviceStoreError.self) { try store.update { $0.append(StoredDevice(id: "1000abc002")) } }
    }

    @Test("A 0777 folder of ours is tightened to 0700 on the first read; a shared sticky one (1777) is refused, untouched")
    func openFolderTightened() throws {
        let store = try Self.storeWithOneDevice()
        #expect(chmod(store.directory, 0o777) == 0)
        #expect(try store.load().count == 1)
        let mode = try FileManager.default.attributesOfItem(atPath: store.directory)[.posixPermissions] as? Int
        #expect(mode == 0o700)

        #expect(chmod(store.directory, 0o1777) == 0)
        #expect { try store.load() } throws: { error in Self.isUnsafe(error) && "\(error)".contains("shared") }
        let sticky = try FileManager.default.attributesOfItem(atPath: store.directory)[.posixPermissions] as? Int
        #expect(sticky == 0o1777, "a shared folder is not changed")
    }

    @Test("A devices.json that is a symbolic link (even to a file of ours) is refused")
    func symlinkStoreRefused() throws {
        let store = try Self.storeWithOneDevice()
        let elsewhere = store.directory + "/elsewhere.json"
        #expect(rename(store.path, elsewhere) == 0)
        #expect(symlink(elsewhere, store.path) == 0)
        #expect { try store.load() } throws: { error in Self.isUnsafe(error) }
    }
}
