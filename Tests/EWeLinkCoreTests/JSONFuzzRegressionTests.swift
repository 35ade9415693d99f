import EWeLinkCore
import Foundation
import Testing

/// Replays `Fixtures/fuzz/json/` (inputs of the `json` fuzz target) with its property: whatever
/// parses serializes to text that parses back to the same value.
@Suite("Fuzz regression inputs: JSON")
struct JSONFuzzRegressionTests {
    @Test("Every kept input is refused, or round-trips through serialization unchanged")
    func replay() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz/json")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            guard let value = try? JSONValue.parse(bytes) else { continue }
            #expect(try JSONValue.parse(value.serializedBytes) == value, "\(name)")
        }
    }
}
