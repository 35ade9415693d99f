/// An incremental HTTP/1.1 reply parser with hard caps, for the one reply of a zeroconf exchange.
///
/// Bytes are fed as they arrive and each byte is looked at once (no re-parsing of what came
/// before), so a slow or endless peer costs linear time. What it keeps is bounded: the head
/// (status line, headers, chunked trailers) by `Limits.headerBytes`, the decoded body by
/// `Limits.bodyBytes`, a chunk-size line by `Limits.chunkLineBytes`. Crossing a cap fails at once,
/// before the rest of the reply is read. Pure Swift with no I/O, so it can be fuzzed.
///
/// The one response parser of the package: the hub's client (`EWeLinkHubClient`), the tests' raw
/// HTTP and the benchmark read replies with it too. A stream that never ends (the hub's
/// `/events`) is read with `takeBody()`, which hands over the body decoded so far; the body cap
/// then bounds what is waiting to be taken, not the whole stream.
package struct HTTPReplyParser {
    /// The caps. Real device replies are under 2 KB (head and body); the defaults leave a wide
    /// margin for odd firmware while keeping a hostile peer from making us buffer megabytes.
    package struct Limits: Sendable, Equatable {
        package var headerBytes = 16 * 1024
        package var bodyBytes = 64 * 1024
        /// One chunk-size line with its extensions (`1f;name=value\r\n`).
        package var chunkLineBytes = 1024
        package static let standard = Limits()

        package init(headerBytes: Int = 16 * 1024, bodyBytes: Int = 64 * 1024, chunkLineBytes: Int = 1024) {
            self.headerBytes = headerBytes
            self.bodyBytes = bodyBytes
            self.chunkLineBytes = chunkLineBytes
        }
    }

    /// A whole reply.
    package struct Reply: Sendable, Equatable {
        package var status: Int
        package var body: [UInt8]

        package init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }
    }

    /// Which part of a reply crossed its cap.
    package enum Part: String, Sendable, Equatable {
        case header = "header"
        case body = "body"
        case chunkLine = "chunk-size line"
    }

    package enum Failure: Error, Sendable, Equatable {
        /// `part` is (or says it will be) larger than `limit` bytes.
        case tooLarge(Part, limit: Int)
        case malformed(String)
        /// The peer closed before a complete reply.
        case truncated
    }

    private enum Stage {
        case head
        case fixedBody(remaining: Int)
        case bodyUntilClose
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd(seen: Int)
        case trailers
        case done
    }

    package let limits: Limits
    private var stage = Stage.head
    /// The head (or the chunk-size line or trailers being read), up to its cap.
    private var line: [UInt8] = []
    private var headBytes = 0
    private var status = 0
    private var body: [UInt8] = []
    /// The final head's header fields, names lowercased (a repeated field keeps its last value).
    package private(set) var headers: [String: String] = [:]
    /// How many bytes of the last `feed` came after the whole reply (the start of the next reply
    /// on a kept-alive connection).
    package private(set) var bytesAfterReply = 0

    package init(limits: Limits = .standard) {
        self.limits = limits
    }

    /// Whether a whole reply has been read.
    package var isComplete: Bool { if case .done = stage { return true } else { return false } }

    /// The final (not interim) status once its head has been read, else nil.
    package var headStatus: Int? { if case .head = stage { return nil } else { return status } }

    /// Whether the body is sent in chunks (`Transfer-Encoding: chunked`), once the head is read.
    package var isChunked: Bool { headers["transfer-encoding"].map { $0.lowercased().contains("chunked") } ?? false }

    /// Hands over the body decoded so far and forgets it: how a stream that does not end is read.
    package mutating func takeBody() -> [UInt8] {
        defer { body.removeAll(keepingCapacity: true) }
        return body
    }

    /// Takes the next bytes of the stream; returns the reply once it is whole (bytes after it
    /// are ignored, and counted in `bytesAfterReply`). Throws as soon as the bytes break the
    /// protocol or a cap.
    package mutating func feed<Bytes: Collection>(_ bytes: Bytes) throws(Failure) -> Reply? where Bytes.Element == UInt8 {
        var index = bytes.startIndex
        bytesAfterReply = 0
        while index != bytes.endIndex {
            switch stage {
            case .done:
                bytesAfterReply = bytes.distance(from: index, to: bytes.endIndex)
                return reply
            case .head, .chunkSize, .trailers:
                let byte = bytes[index]
                index = bytes.index(after: index)
                try take(byte)
            case .fixedBody(let remaining):
                let end = bytes.index(index, offsetBy: remaining, limitedBy: bytes.endIndex) ?? bytes.endIndex
                let count = bytes.distance(from: index, to: end)
                body.append(contentsOf: bytes[index..<end])
                index = end
                stage = remaining == count ? .done : .fixedBody(remaining: remaining - count)
            case .bodyUntilClose:
                let available = bytes.distance(from: index, to: bytes.endIndex)
                guard body.count + available <= limits.bodyBytes else { throw .tooLarge(.body, limit: limits.bodyBytes) }
                body.append(contentsOf: bytes[index...])
                index = bytes.endIndex
            case .chunkData(let remaining):
                let end = bytes.index(index, offsetBy: remaining, limitedBy: bytes.endIndex) ?? bytes.endIndex
                let count = bytes.distance(from: index, to: end)
                body.append(contentsOf: bytes[index..<end])
                index = end
                stage = remaining == count ? .chunkDataEnd(seen: 0) : .chunkData(remaining: remaining - count)
            case .chunkDataEnd(let seen):
                let expected: UInt8 = seen == 0 ? 13 : 10
                guard bytes[index] == expected else { throw .malformed("chunk data not followed by CRLF") }
                index = bytes.index(after: index)
                stage = seen == 0 ? .chunkDataEnd(seen: 1) : .chunkSize
            }
        }
        return isComplete ? reply : nil
    }

    /// The peer closed: the reply if it is whole (a body without a length ends here), else why not.
    package mutating func finish() throws(Failure) -> Reply {
        switch stage {
        case .done: return reply
        case .bodyUntilClose:
            stage = .done
            return reply
        case .head:
            if headBytes == 0 { throw .truncated }
            throw .malformed("no HTTP header")
        case .fixedBody:
            throw .truncated
        case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
            throw .malformed("truncated chunked body")
        }
    }

    private var reply: Reply { Reply(status: status, body: body) }

    // MARK: Lines (head, chunk sizes, trailers)

    /// One byte of a line-oriented stage: kept until its line (or, for the head, the empty line)
    /// ends, within the stage's cap.
    private mutating func take(_ byte: UInt8) throws(Failure) {
        line.append(byte)
        switch stage {
        case .head:
            headBytes += 1
            guard headBytes <= limits.headerBytes else { throw .tooLarge(.header, limit: limits.headerBytes) }
            if line.count >= 4, line[line.count - 4] == 13, line[line.count - 3] == 10,
               line[line.count - 2] == 13, line[line.count - 1] == 10 {
                try parseHead(line[..<(line.count - 4)])
            }
        case .chunkSize:
            guard line.count <= limits.chunkLineBytes else { throw .tooLarge(.chunkLine, limit: limits.chunkLineBytes) }
            if byte == 10 { try parseChunkSize() }
        case .trailers:
            // Trailers belong to the head's budget: they are headers sent after the body.
            headBytes += 1
            guard headBytes <= limits.headerBytes else { throw .tooLarge(.header, limit: limits.headerBytes) }
            if byte == 10 {
                let isEmptyLine = line.count == 2 && line[0] == 13
                line.removeAll(keepingCapacity: true)
                if isEmptyLine { stage = .done }
            }
        default:
            break
        }
    }

    private mutating func parseHead(_ head: ArraySlice<UInt8>) throws(Failure) {
        let lines = head.split(separator: 13, omittingEmptySubsequences: false).map { piece in
            piece.first == 10 ? piece.dropFirst() : piece
        }
        guard let statusLine = lines.first, statusLine.starts(with: Array("HTTP/".utf8)) else {
            throw .malformed("not an HTTP status line")
        }
        let fields = statusLine.split(separator: 32, maxSplits: 2, omittingEmptySubsequences: true)
        guard fields.count >= 2, fields[1].count == 3, let code = Self.decimal(fields[1]) else {
            throw .malformed("not an HTTP status line")
        }
        var length: Int? = nil
        var chunked = false
        headers = [:]
        for headerLine in lines.dropFirst() {
            guard let colon = headerLine.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = Self.lowercased(headerLine[..<colon])
            let value = Self.trimmed(headerLine[headerLine.index(after: colon)...])
            headers[name] = String(decoding: value, as: UTF8.self)
            if name == "content-length" {
                guard let n = Self.decimal(value) else { throw .malformed("invalid Content-Length") }
                if let length, length != n { throw .malformed("conflicting Content-Length headers") }
                length = n
            } else if name == "transfer-encoding" {
                chunked = chunked || Self.lowercased(value).contains("chunked")
            }
        }
        line.removeAll(keepingCapacity: true)
        // Interim replies (100 Continue…) come before the real one: read on.
        if (100..<200).contains(code) && code != 101 {
            return
        }
        status = code
        if chunked {
            stage = .chunkSize
        } else if let length {
            guard length <= limits.bodyBytes else { throw .tooLarge(.body, limit: limits.bodyBytes) }
            body.reserveCapacity(length)
            stage = length == 0 ? .done : .fixedBody(remaining: length)
        } else if code == 204 || code == 304 {
            stage = .done
        } else {
            stage = .bodyUntilClose
        }
    }

    private mutating func parseChunkSize() throws(Failure) {
        guard line.count >= 2, line[line.count - 2] == 13 else { throw .malformed("chunk-size line without CRLF") }
        let text = line[..<(line.count - 2)]
        let digits = Self.trimmed(text[..<(text.firstIndex(of: UInt8(ascii: ";")) ?? text.endIndex)])
        guard !digits.isEmpty else { throw .malformed("empty chunk size") }
        var size = 0
        for d in digits {
            guard let v = Self.hexValue(d) else { throw .malformed("invalid chunk size") }
            size = size * 16 + v
            // Checked per digit, so a long run of digits can neither overflow nor pass the cap.
            guard body.count + size <= limits.bodyBytes else { throw .tooLarge(.body, limit: limits.bodyBytes) }
        }
        line.removeAll(keepingCapacity: true)
        stage = size == 0 ? .trailers : .chunkData(remaining: size)
    }

    // MARK: Byte helpers (ASCII only: header names and numbers)

    private static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var n = 0
        for b in bytes {
            guard b >= 48 && b <= 57 else { return nil }
            n = n * 10 + Int(b - 48)
        }
        return n
    }

    private static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 48...57: return Int(b - 48)
        case 65...70: return Int(b - 55)
        case 97...102: return Int(b - 87)
        default: return nil
        }
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = bytes
        while let f = s.first, f == 32 || f == 9 { s = s.dropFirst() }
        while let l = s.last, l == 32 || l == 9 { s = s.dropLast() }
        return s
    }

    private static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
