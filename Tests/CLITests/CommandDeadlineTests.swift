import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// Issue 20, point 5: `--timeout` bounds the whole command, not each request of it.
@Suite("--timeout bounds the whole command", .serialized)
struct CommandDeadlineTests {
    @Test("A device of unknown type that never answers: on --timeout 1 (info, then the command) and status --timeout 1 end within 1.5 s (start-up aside), exit 4")
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
        // What starting the process and reading the store cost here, taken off the times below (a
        // loaded machine adds a few hundred milliseconds to each run).
        var startup = Duration.seconds(60)
        for _ in 0..<2 {
            let started = ContinuousClock.now
            _ = try await CommandRunner.run("ewelink", ["devices", "--json"], environment: env)
            startup = min(startup, ContinuousClock.now - started)
        }
        for args in [["on", plug.id, "--lan-only", "--timeout", "1"], ["status", plug.id, "--lan-only", "--timeout", "1"]] {
            let started = ContinuousClock.now
            let r = try await CommandRunner.run("ewelink", args, environment: env)
            let elapsed = ContinuousClock.now - started
            #expect(r.status == 4, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("1000 ms"), "\(args): \(r.stderr)")
            // About 1.05 s (on took 2.0 s and more: 1 s for info, 1 s for the command).
            #expect(elapsed - startup < .milliseconds(1500), "\(args) took \(elapsed), start-up \(startup)")
            #expect(elapsed >= .milliseconds(950), "\(args) gave up early: \(elapsed)")
        }
    }
}
