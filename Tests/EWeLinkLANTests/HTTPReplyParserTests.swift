@testable import EWeLinkLAN
import Testing

@Suite("HTTP reply parser: incremental, with caps")
struct HTTPReplyParserTests {
    typealias Parser = HTTPReplyParser

    /// Feeds `bytes` in pieces of `piece` bytes, then the close; returns the result.
    static func parse(_ bytes: [UInt8], piece: Int, limits: Parser.Limits = .standard) throws(Parser.Failure) -> Parser.Reply {
        var parser = Parser(limits: limits)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + piece)
            if let reply = try parser.feed(bytes[start..<end]) { return reply }
            start = end
        }
        return try parser.finish()
    }

    /// How many bytes of an endless stream of `piece`-byte reads the parser takes before it fails.
    static func bytesTakenBeforeFailure(head: String, repeating unit: [UInt8], piece: Int = 4096) -> (Int, Parser.Failure?) {
        var parser = Parser()
        var taken = 0
        let chunk = Array((0..<(piece / unit.count + 1)).flatMap { _ in unit }.prefix(piece))
        do {
            _ = try parser.feed(Array(head.utf8))
            taken += head.utf8.count
            while taken < 50_000_000 {
                _ = try parser.feed(chunk)
                taken += chunk.count
            }
        } catch {
            return (taken, error)
        }
        return (taken, nil)
    }

    let body = Array(#"{"seq":3,"error":0,"data":{"switch":"on"}}"#.utf8)

    @Test("A reply with Content-Length reads the same whole or one byte at a time; bytes after it are ignored")
    func contentLength() throws {
        let raw = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
            + body + Array("garbage".utf8)
        for piece in [1, 2, 7, raw.count] {
            let reply = try Self.parse(raw, piece: piece)
            #expect(reply == Parser.Reply(status: 200, body: body))
        }
    }

    @Test("Chunked bodies with extensions and trailers are decoded, in any split")
    func chunked() throws {
        let raw = Array("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n5;x=y\r\n".utf8) + body[0..<5]
            + Array("\r\n\(String(body.count - 5, radix: 16))\r\n".utf8) + body[5...] + Array("\r\n0\r\nX-T: 1\r\n\r\n".utf8)
        for piece in [1, 3, raw.count] {
            #expect(try Self.parse(raw, piece: piece) == Parser.Reply(status: 200, body: body))
        }
    }

    @Test("A body without a length ends at the close; an interim 100 Continue is skipped")
    func untilCloseAndContinue() throws {
        let raw = Array("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nServer: x\r\n\r\n".utf8) + body
        #expect(try Self.parse(raw, piece: 5) == Parser.Reply(status: 200, body: body))
    }

    @Test("Broken and cut replies fail with what is wrong")
    func broken() {
        #expect(throws: Parser.Failure.truncated) { try Self.parse([], piece: 1) }
        #expect(throws: Parser.Failure.malformed("no HTTP header")) { try Self.parse(Array("HTTP/1.1 200".utf8), piece: 4) }
        #expect(throws: Parser.Failure.malformed("not an HTTP status line")) {
            try Self.parse(Array("<html>\r\n\r\n".utf8), piece: 4)
        }
        #expect(throws: Parser.Failure.truncated) {
            try Self.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}".utf8), piece: 4)
        }
        #expect(throws: Parser.Failure.malformed("invalid chunk size")) {
            try Self.parse(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8), piece: 4)
        }
        #expect(throws: Parser.Failure.malformed("invalid Content-Length")) {
            try Self.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n".utf8), piece: 4)
        }
    }

    @Test("A body exactly at the cap is accepted; one byte more is refused")
    func bodyCapBoundary() throws {
        let cap = Parser.Limits.standard.bodyBytes
        let exact = [UInt8](repeating: 0x61, count: cap)
        let raw = Array("HTTP/1.1 200 OK\r\nContent-Length: \(cap)\r\n\r\n".utf8) + exact
        #expect(try Self.parse(raw, piece: 4096).body.count == cap)
        #expect(throws: Parser.Failure.tooLarge(.body, limit: cap)) {
            try Self.parse(Array("HTTP/1.1 200 OK\r\n\r\n".utf8) + exact + [0x61], piece: 4096)
        }
    }

    @Test("An endless header line is refused once the head passes 16 KB")
    func endlessHeaderLine() {
        let (taken, failure) = Self.bytesTakenBeforeFailure(head: "HTTP/1.1 200 OK\r\nX-Endless: ", repeating: [0x61])
        #expect(failure == .tooLarge(.header, limit: 16 * 1024))
        #expect(taken <= 16 * 1024 + 4096)
    }

    @Test("A declared 10 MB body is refused from its header, before any of it is read")
    func declaredHugeBody() {
        var parser = Parser()
        #expect(throws: Parser.Failure.tooLarge(.body, limit: 64 * 1024)) {
            try parser.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n".utf8))
        }
    }

    @Test("A never-ending chunked body and an unlimited body stop at 64 KB, counted across chunks")
    func endlessBodies() {
        let chunk = Array("1000\r\n".utf8) + [UInt8](repeating: 0x78, count: 4096) + Array("\r\n".utf8)
        var (taken, failure) = Self.bytesTakenBeforeFailure(
            head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", repeating: chunk, piece: chunk.count)
        #expect(failure == .tooLarge(.body, limit: 64 * 1024))
        #expect(taken <= 64 * 1024 + 2 * chunk.count + 64)
        (taken, failure) = Self.bytesTakenBeforeFailure(head: "HTTP/1.1 200 OK\r\n\r\n", repeating: [0x78])
        #expect(failure == .tooLarge(.body, limit: 64 * 1024))
        #expect(taken <= 64 * 1024 + 4096 + 64)
    }

    @Test("Huge chunk sizes and endless chunk-size lines fail without overflow")
    func chunkSizeLines() {
        #expect(throws: Parser.Failure.tooLarge(.body, limit: 64 * 1024)) {
            try Self.parse(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffffffff\r\n".utf8), piece: 3)
        }
        let (_, failure) = Self.bytesTakenBeforeFailure(
            head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;", repeating: [0x61])
        #expect(failure == .tooLarge(.chunkLine, limit: 1024))
    }

    @Test("The head's fields are kept (names lowercased); bytes after a reply are counted for the next one")
    func headersAndKeptAlive() throws {
        var parser = Parser()
        let first = Array("HTTP/1.1 429 Too Many\r\nRetry-After: 3\r\nContent-Length: 2\r\n\r\n{}".utf8)
        let next = Array("HTTP/1.1 200 OK\r\n".utf8)
        #expect(parser.headStatus == nil)
        #expect(try parser.feed(first + next) == Parser.Reply(status: 429, body: Array("{}".utf8)))
        #expect(parser.headers["retry-after"] == "3" && parser.headers["content-length"] == "2")
        #expect(parser.bytesAfterReply == next.count)
        var exact = Parser()
        _ = try exact.feed(first)
        #expect(exact.bytesAfterReply == 0)
    }

    @Test("A stream that does not end is read with takeBody: the cap bounds what waits, not the whole stream")
    func streamedChunks() throws {
        var parser = Parser(limits: Parser.Limits(bodyBytes: 1024))
        #expect(try parser.feed(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)) == nil)
        #expect(parser.headStatus == 200 && parser.isChunked && parser.takeBody().isEmpty)
        let event = Array("data: {}\n\n".utf8)
        var received: [UInt8] = []
        // 100 KB through a 1 KB cap, a piece at a time, each piece taken as it comes.
        for _ in 0..<10_000 {
            let chunk = Array("\(String(event.count, radix: 16))\r\n".utf8) + event + Array("\r\n".utf8)
            #expect(try parser.feed(chunk) == nil)
            received += parser.takeBody()
        }
        #expect(received.count == 10_000 * event.count && !parser.isComplete)
        // Not taking it: the cap holds.
        #expect(throws: Parser.Failure.tooLarge(.body, limit: 1024)) {
            for _ in 0..<200 { _ = try parser.feed(Array("a\r\n0123456789\r\n".utf8)) }
        }
    }
}
