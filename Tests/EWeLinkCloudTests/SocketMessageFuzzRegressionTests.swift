import EWeLinkCloud
import Foundation
import Testing

/// Replays `Fixtures/fuzz/cloud-socket-message/` (inputs of the `cloud-socket-message` fuzz target)
/// through the parser: each parses or fails with a typed reason, never crashes.
@Suite("Fuzz regression inputs: cloud WebSocket messages")
struct SocketMessageFuzzRegressionTests {
    @Test("Every kept input parses or is refused with a typed failure")
    func replay() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz/cloud-socket-message")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            _ = try? CloudSocketMessage.parse(String(decoding: data, as: UTF8.self))
        }
    }
}
