import EWeLinkLAN
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Endpoint names and private folders")
struct HostileInputLANTests {
    @Test("Endpoint names: the protocol's form only")
    func endpointNames() {
        for name in ["switch", "switches", "pulse", "sledonline", "signal_strength", "ota_unlock", "ota_flash", "dimmable", "info",
                     "getState", "uiActive", "getHoursKwh"] {
            #expect(ZeroconfEndpoint.isValid(name), "\(name)")
        }
        for name in ["", "sw1tch", "a b", "a?b", "a#b", "../info", "switch\r\nX: y", "swítch", "switch/", "%73witch",
                     String(repeating: "a", count: ZeroconfEndpoint.maxLength + 1)] {
            #expect(!ZeroconfEndpoint.isValid(name), "\(name.debugDescription)")
        }
    }

    @Test("An existing folder open to others is tightened to 0700; another user's is refused, untouched")
    func privateFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-dir-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.ensureDirectory(dir)
        #expect((try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? NSNumber)?.intValue == 0o700)

        // Someone else's folder (only root can make one here).
        guard getuid() == 0 else { return }
        chmod(dir, 0o755)
        #expect(chown(dir, 65534, 65534) == 0)
        do {
            try AtomicFile.ensureDirectory(dir)
            Issue.record("accepted another user's open folder")
        } catch {
            #expect(error.description.contains("another user") && error.description.contains("a folder of your own"))
        }
        #expect((try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? NSNumber)?.intValue == 0o755)
    }
}
