import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// `ewelink` and the library modules it links import FoundationEssentials only: the full Foundation
/// would bring ICU's 34 MB of data (and its start-up cost) into the installed static binary.
/// scripts/install-check checks the installed binary's symbols; this checks the debug build's
/// libraries, so a stray `import Foundation` fails the ordinary test run.
@Suite("ewelink links no Foundation")
struct FoundationEssentialsOnlyTests {
    @Test("The ewelink binary needs neither Foundation, FoundationInternationalization nor ICU")
    func noFoundation() async throws {
        let binary = CommandRunner.binDirectory.appendingPathComponent("ewelink")
        let r = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/readelf"), ["-d", "-W", binary.path])
        #expect(r.status == 0, "readelf: \(r.stderr)")
        let needed = r.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(!needed.isEmpty, "no NEEDED entries read from \(binary.path)")
        #expect(needed.contains { $0.contains("libFoundationEssentials") })
        for library in ["[libFoundation.so]", "libFoundationInternationalization", "_FoundationICU", "libFoundationNetworking"] {
            #expect(!needed.contains { $0.contains(library) }, "ewelink needs \(library)")
        }
    }
}
