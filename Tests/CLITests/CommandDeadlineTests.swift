import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// Issue 20, point 5: `--timeout` bounds the whole command, not each request of it.
@Suite("--timeout bounds the whole command", .serialized)
struct CommandDeadlineTests {
    @Test("A device of unknown type that never answers: on --timeout 1 (info, then the command) and status --timeout 1 end within 1.6 s, exit 4")
    func unknownTypeSilentDevice() async throws {
        let (sim, plug) = try await StoreFixture.plug()
        defer { Task { await sim.stop() } }
        _ = await plug.setFaults { $0.lan = .blackhole }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-deadline-\(UUID().uuidString)").path
        let env = ["EWELINK_HOME": home]
        // Stored unchecked: no type, channels or state, so a command first asks the device for its info.
        let add = try await CommandRunner.run("ewelink", ["devices", "add", plug.id, "--host", "127.0.0.1:\(plug.snapshot.port)",
                                                          "--devicekey-stdin", "--no-check"],
                                              environment: env, stdin: plug.config.devicekey! + "\n")
        #expect(add.status == 0, "\(add.stderr)")
        for args in [["on", plug.id, "--lan-only", "--timeout", "1"], ["status", plug.id, "--lan-only", "--timeout", "1"]] {
            let started = ContinuousClock.now
            let r = try await CommandRunner.run("ewelink", args, environment: env)
            let elapsed = ContinuousClock.now - started
            #expect(r.status == 4, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("1000 ms"), "\(args): \(r.stderr)")
            // About 1.05 s alone (it was 2.0 s: 1 s for info, 1 s for the command).
            #expect(elapsed < .milliseconds(1600), "\(args) took \(elapsed)")
            #expect(elapsed >= .milliseconds(950), "\(args) gave up early: \(elapsed)")
        }
    }
}
