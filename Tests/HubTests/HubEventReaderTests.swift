import EWeLinkHubClient
import Testing

/// The reader `ewelink watch` and the benchmark follow the hub's `/events` with.
@Suite("HubEventReader: the hub's event stream, byte by byte")
struct HubEventReaderTests {
    static func chunk(_ text: String) -> [UInt8] {
        Array("\(String(text.utf8.count, radix: 16))\r\n\(text)\r\n".utf8)
    }

    @Test("Events split anywhere come out whole; named events and comments are skipped; the last chunk ends it")
    func events() throws {
        let stream = Array("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            + Self.chunk(": hello\n\ndata: {\"a\":1}\n") + Self.chunk("\ndata: {\"b\"") + Self.chunk(":2}\n\nevent: ota\ndata: {}\n\n")
            + Self.chunk("data: x\r\ndata: y\r\n\r\n") + Array("0\r\n\r\n".utf8)
        for piece in [1, 3, 17, stream.count] {
            var reader = HubEventReader()
            var seen: [String] = []
            var start = 0
            while start < stream.count {
                let end = min(stream.count, start + piece)
                seen += try reader.feed(Array(stream[start..<end]))
                start = end
            }
            #expect(seen == [#"{"a":1}"#, #"{"b":2}"#, "x\ny"], "piece \(piece)")
            #expect(reader.ended)
        }
    }

    @Test("An answer that is not a stream, or a broken one, is said so")
    func refusals() {
        var reader = HubEventReader()
        #expect(throws: HubEventReader.Failure.notAStream(status: 401)) {
            try reader.feed(Array("HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n{}".utf8))
        }
        reader = HubEventReader()
        #expect(throws: HubEventReader.Failure.notAStream(status: 200)) {
            try reader.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".utf8))
        }
        reader = HubEventReader()
        #expect(throws: HubEventReader.Failure.malformed) {
            try reader.feed(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8))
        }
        reader = HubEventReader()
        #expect(throws: HubEventReader.Failure.malformed) {
            try reader.feed(Array("<html>\r\n\r\n".utf8))
        }
    }
}
