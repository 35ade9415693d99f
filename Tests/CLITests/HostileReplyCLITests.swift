import Foundation
import Testing
import TestSupport

@Suite("ewelink against a hostile LAN peer (issue 16, point 6)")
struct HostileReplyCLITests {
    @Test("A reply too large exits 4 at once with one line")
    func replyTooLarge() async throws {
        let server = try HostileHTTPServer(.endlessChunkedBody)
        defer { server.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-hostile-\(UUID().uuidString)").path
        let env = ["EWELINK_HOME": home]
        let add = try await CommandRunner.run("ewelink", ["devices", "add", "1000abc123", "--host", "127.0.0.1:\(server.port)", "--no-check"],
                                              environment: env)
        #expect(add.status == 0, "\(add.stderr)")
        let started = ContinuousClock.now
        let r = try await CommandRunner.run("ewelink", ["on", "1000abc123", "--lan-only", "--timeout", "10"], environment: env)
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stderr.contains("reply too large"))
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        // Alone about 0.2 s (the old client waited out the 10 s timeout); loose for a loaded CI machine.
        #expect(ContinuousClock.now - started < .seconds(8))
    }
}
