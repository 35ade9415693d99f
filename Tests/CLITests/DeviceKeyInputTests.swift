import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Issue 20, point 5: a devicekey need not be on the command line, where `ps` shows it to every
/// local user.
@Suite("devicekey from standard input or a file", .serialized)
struct DeviceKeyInputTests {
    @Test("devices add takes the key from --devicekey-stdin or --devicekey-file and verifies it; a linked, shared or foreign file, or two sources, are refused")
    func keyOffTheCommandLine() async throws {
        let (sim, plug) = try await StoreFixture.plug()
        defer { Task { await sim.stop() } }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-keyin-\(UUID().uuidString)").path
        let env = ["EWELINK_HOME": home]
        let key = try #require(plug.config.devicekey)
        let address = "127.0.0.1:\(plug.snapshot.port)"

        var r = try await CommandRunner.run("ewelink", ["devices", "add", plug.id, "--host", address, "--devicekey-stdin"],
                                            environment: env, stdin: key + "\n")
        #expect(r.status == 0 && r.stdout.contains("key verified"), "\(r.stdout) \(r.stderr)")
        #expect(!(r.stdout + r.stderr).contains(key))
        var stored = try DeviceStore(directory: home).load()
        #expect(stored.first?.devicekey == key)

        let keyDir = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-keyfile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: keyDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = keyDir + "/plug.key"
        #expect(FileManager.default.createFile(atPath: file, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]))
        try DeviceStore(directory: home).update { $0.removeAll() }
        r = try await CommandRunner.run("ewelink", ["devices", "add", plug.id, "--host", address, "--devicekey-file", file], environment: env)
        #expect(r.status == 0 && r.stdout.contains("key verified"), "\(r.stdout) \(r.stderr)")
        stored = try DeviceStore(directory: home).load()
        #expect(stored.first?.devicekey == key)

        // Refused, nothing stored: a symbolic link, a file others can read, one of another user, two sources, nothing on stdin.
        try DeviceStore(directory: home).update { $0.removeAll() }
        let link = keyDir + "/link.key"
        #expect(symlink(file, link) == 0)
        let shared = keyDir + "/shared.key"
        #expect(FileManager.default.createFile(atPath: shared, contents: Data(key.utf8), attributes: [.posixPermissions: 0o644]))
        var refusals: [([String], String?, String)] = [
            (["--devicekey-file", link], nil, "symbolic link"),
            (["--devicekey-file", shared], nil, "chmod 600"),
            (["--devicekey-file", keyDir + "/missing.key"], nil, "no such file"),
            (["--devicekey-stdin", "--devicekey", key], key + "\n", "one way only"),
            (["--devicekey-stdin"], "", "no devicekey on standard input"),
        ]
        if geteuid() == 0 {
            let foreign = keyDir + "/foreign.key"
            #expect(FileManager.default.createFile(atPath: foreign, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]))
            #expect(chown(foreign, 65534, 65534) == 0)
            refusals.append((["--devicekey-file", foreign], nil, "another user"))
        }
        for (args, stdin, reason) in refusals {
            r = try await CommandRunner.run("ewelink", ["devices", "add", plug.id, "--host", address] + args, environment: env, stdin: stdin)
            #expect(r.status == 2 && r.stderr.contains(reason), "\(args): \(r.status) \(r.stderr)")
            #expect(!r.stderr.contains(key))
        }
        #expect(try DeviceStore(directory: home).load().isEmpty)

        let help = try await CommandRunner.run("ewelink", ["devices", "add", "--help"])
        #expect(help.stdout.contains("--devicekey-stdin") && help.stdout.contains("--devicekey-file") && help.stdout.contains("`ps`"))
    }

    @Test("debug decrypt takes the key from standard input too")
    func debugFromStdin() async throws {
        let key = "7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d"
        let sealed = try await CommandRunner.run("ewelink", ["debug", "encrypt", "--json", "--devicekey-stdin", #"{"switch":"on"}"#],
                                                 stdin: key + "\n")
        #expect(sealed.status == 0, "\(sealed.stderr)")
        let o = try JSONValue.parse(sealed.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let opened = try await CommandRunner.run("ewelink", ["debug", "decrypt", "--devicekey-stdin", "--iv", o["iv"]!.stringValue!,
                                                             o["data"]!.stringValue!], stdin: key + "\n")
        #expect(opened.status == 0 && opened.stdout.contains(#""switch":"on""#), "\(opened.stdout) \(opened.stderr)")
        let missing = try await CommandRunner.run("ewelink", ["debug", "decrypt", "--iv", o["iv"]!.stringValue!, o["data"]!.stringValue!])
        #expect(missing.status == 2 && missing.stderr.contains("--devicekey-stdin"), "\(missing.stderr)")
    }
}
