@testable import EWeLinkLAN
import Foundation
import Testing

/// Replays the regression inputs of `Fixtures/fuzz/<target>/` (crashes the fuzzers found, and the
/// hostile shapes of issue 16) with the properties the fuzz targets in `Fuzz/` check, so a plain
/// `swift test` catches a regression without libFuzzer. (JSON: EWeLinkCoreTests; WebSocket
/// messages: EWeLinkCloudTests.)
@Suite("Fuzz regression inputs (Fixtures/fuzz)")
struct FuzzRegressionTests {
    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = Fixtures.directory.appendingPathComponent("fuzz").appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix("README") }.sorted()
        return try names.map { ($0, Array(try Data(contentsOf: folder.appendingPathComponent($0)))) }
    }

    @Test("http-reply: same result whole or split, bodies within their cap")
    func httpReply() throws {
        let inputs = try Self.inputs("http-reply")
        #expect(!inputs.isEmpty)
        let small = HTTPReplyParser.Limits(headerBytes: 512, bodyBytes: 1024, chunkLineBytes: 32)
        for (name, bytes) in inputs {
            for limits in [small, .standard] {
                let whole = Result { () throws(HTTPReplyParser.Failure) in try HTTPReplyParserTests.parse(bytes, piece: max(1, bytes.count), limits: limits) }
                let split = Result { () throws(HTTPReplyParser.Failure) in
                    try HTTPReplyParserTests.parse(bytes, piece: 1 + Int(bytes.first ?? 0) % 16, limits: limits)
                }
                #expect(whole == split, "\(name)")
                if case .success(let reply) = whole { #expect(reply.body.count <= limits.bodyBytes, "\(name)") }
            }
        }
    }

    @Test("txt-record: TXT records in wire form decode (or fail) without a crash")
    func txtRecord() throws {
        let inputs = try Self.inputs("txt-record")
        #expect(!inputs.isEmpty)
        for (_, bytes) in inputs {
            var records: [String: String] = [:]
            var i = 0
            while i < bytes.count {
                let end = min(bytes.count, i + 1 + Int(bytes[i]))
                let item = bytes[(i + 1)..<end]
                i = end
                let eq = item.firstIndex(of: UInt8(ascii: "=")) ?? item.endIndex
                let value = eq < item.endIndex ? String(decoding: item[(eq + 1)...], as: UTF8.self) : ""
                if records[String(decoding: item[..<eq], as: UTF8.self)] == nil { records[String(decoding: item[..<eq], as: UTF8.self)] = value }
            }
            guard let announcement = try? TXTAnnouncement(records: records) else { continue }
            _ = try? announcement.state(devicekey: "9b0810bc-557a-406c-8266-614767890531")
            _ = try? announcement.state(devicekey: nil)
        }
    }
}
