import Foundation
import Testing
import TestSupport

/// Issue 20, point 5: every executable of the package ends a usage error with one line and exit
/// status 2 (ArgumentParser's own is 64).
@Suite("Usage errors exit 2 in every executable")
struct UsageExitTests {
    @Test("ewelink, ewelink-hub and ewelink-sim: an unknown flag or a value that does not parse is exit 2 with one line; --help is 0")
    func usageErrors() async throws {
        let cases: [(String, [String])] = [
            ("ewelink", ["--bogus"]), ("ewelink", ["on"]), ("ewelink", ["on", "1000abc001", "--timeout", "abc"]),
            ("ewelink-hub", ["--bogus"]), ("ewelink-hub", ["--max-body", "abc"]),
            ("ewelink-sim", ["--bogus"]), ("ewelink-sim", ["run", "--fleet", "f.json", "--control-port", "abc"]),
            ("ewelink-sim", ["run"]), ("ewelink-sim", ["demo", "--bogus"]),
        ]
        for (tool, args) in cases {
            let r = try await CommandRunner.run(tool, args)
            #expect(r.status == 2, "\(tool) \(args): exit \(r.status)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("\(tool): ") && r.stderr.contains("--help"), "\(tool) \(args): \(r.stderr)")
        }
        for tool in ["ewelink", "ewelink-hub", "ewelink-sim"] {
            let r = try await CommandRunner.run(tool, ["--help"])
            #expect(r.status == 0 && r.stdout.contains("USAGE"), "\(tool) --help: \(r.status)")
        }
    }
}
