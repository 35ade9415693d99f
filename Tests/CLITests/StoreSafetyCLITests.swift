import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Issue 20, point 4 as the review tried it: another local user's `EWELINK_HOME`, with a store
/// planted in it that points at the attacker's address and key.
@Suite("ewelink in a home another user controls")
struct StoreSafetyCLITests {
    @Test("As nobody, in a root-owned 0777 home with a planted devices.json: devices, status, on and devices add exit 7, nothing is contacted or written")
    func plantedHomeRefused() async throws {
        let runuser = "/usr/sbin/runuser"
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: runuser) else { return }
        let attacker = try HostileHTTPServer(.body(bytes: 64, declared: true))
        defer { attacker.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-planted-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        #expect(chmod(home, 0o777) == 0)
        let planted = #"{"version":1,"devices":[{"id":"1000abc001","devicekey":"attacker-key","type":"plug","host":"127.0.0.1","port":\#(attacker.port),"hostConfigured":true}]}"#
        #expect(FileManager.default.createFile(atPath: home + "/devices.json", contents: Data(planted.utf8),
                                               attributes: [.posixPermissions: 0o644]))
        let ewelink = CommandRunner.binDirectory.appendingPathComponent("ewelink").path
        for args in [["devices"], ["devices", "--json"], ["status", "1000abc001", "--timeout", "1"],
                     ["on", "1000abc001", "--timeout", "1"], ["devices", "add", "1000abc002", "--no-check"]] {
            let r = try await ProcessRunner.run(URL(fileURLWithPath: runuser), ["-u", "nobody", "--", ewelink] + args,
                                                environment: ["EWELINK_HOME": home])
            #expect(r.status == 7, "\(args): \(r.status) \(r.stdout) \(r.stderr)")
            #expect(r.stderr.contains("belongs to another user") && r.stderr.contains("EWELINK_HOME"), "\(args): \(r.stderr)")
            #expect(!r.stdout.contains("1000abc001"), "the planted device was listed: \(r.stdout)")
        }
        #expect(attacker.connections == 0, "a command went to the planted address")
        let left = try FileManager.default.contentsOfDirectory(atPath: home)
        #expect(left == ["devices.json"], "something was written into the foreign home: \(left)")
        let mode = try FileManager.default.attributesOfItem(atPath: home)[.posixPermissions] as? Int
        #expect(mode == 0o777, "another user's folder was changed")
    }

    @Test("A planted devices.json.lock symlink in our own home is not followed by `devices add`: exit 7, the target is not created")
    func plantedLockLink() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-lock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let target = home + "-nologin"
        #expect(symlink(target, home + "/devices.json.lock") == 0)
        let r = try await CommandRunner.run("ewelink", ["devices", "add", "1000abc002", "--no-check"], environment: ["EWELINK_HOME": home])
        #expect(r.status == 7 && r.stderr.contains("symbolic link"), "\(r.status) \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
