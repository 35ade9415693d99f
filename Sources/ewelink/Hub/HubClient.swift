import EWeLink
import EWeLinkLAN
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The CLI's side of the hub (`ewelink serve`): one HTTP/1.1 exchange over its Unix socket, made
/// with blocking calls before Swift concurrency starts. When no hub listens (no socket file, or
/// nobody accepting) the command does the work itself; that check is one `connect`.
///
/// Hand-written rather than AsyncHTTPClient: the request is one fixed line to a server we ship,
/// and starting an event loop would cost more than the whole exchange.
enum HubClient {
    struct Reply {
        var status: Int
        var body: [UInt8]
    }

    enum Outcome {
        /// No hub here: do the work in this process.
        case noHub
        case reply(Reply)
        /// The hub took the request but did not answer it (exit 1, nothing done twice).
        case failed(String)
    }

    /// Longest wait for an answer: the hub bounds every command at 30 s.
    static let replyTimeoutSeconds = 35

    /// Connects to the hub's socket, or nil when there is none or it is not safe to use (not ours,
    /// or others may write to it: someone else's server could answer in the hub's name).
    static func connect(_ path: String = HubAddress.socketPath()) -> Int32? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        guard st.st_mode & S_IFMT == S_IFSOCK else { return nil }
        guard st.st_uid == geteuid(), st.st_mode & 0o077 == 0 else {
            printError("ewelink: warning: not using the hub socket \(path): "
                + (st.st_uid != geteuid() ? "it belongs to uid \(st.st_uid)" : "its mode \(String(st.st_mode & 0o777, radix: 8)) lets others in")
                + "; working without the hub")
            return nil
        }
        return UnixSocket.connect(path, receiveTimeoutSeconds: replyTimeoutSeconds, sendTimeoutSeconds: 5)
    }

    /// One request and its whole answer.
    static func exchange(_ method: String, _ target: String, body: [UInt8] = []) -> Outcome {
        let path = HubAddress.socketPath()
        guard let fd = connect(path) else { return .noHub }
        defer { close(fd) }
        guard send(fd, request(method, target, body: body)) else {
            return .failed("the hub at \(path) closed the connection")
        }
        var raw: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { raw.append(contentsOf: buffer[0..<n]); continue }
            if n == 0 { break }
            if errno == EINTR { continue }
            return .failed(errno == EAGAIN
                ? "the hub at \(path) did not answer within \(replyTimeoutSeconds) s (--no-hub works without it)"
                : "reading from the hub at \(path): \(String(cString: strerror(errno)))")
        }
        guard let reply = parse(raw) else { return .failed("the hub at \(path) sent an answer that is not HTTP") }
        return .reply(reply)
    }

    static func request(_ method: String, _ target: String, body: [UInt8]) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: ewelink-hub\r\nConnection: close\r\n"
        if method != "GET" || !body.isEmpty {
            head += "Content-Length: \(body.count)\r\n"
            if !body.isEmpty { head += "Content-Type: application/json\r\n" }
        }
        return Array((head + "\r\n").utf8) + body
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool { UnixSocket.send(fd, bytes) }

    /// Status and body of a whole HTTP/1.1 response (Content-Length, chunked, or to the end).
    static func parse(_ raw: [UInt8]) -> Reply? {
        guard let (status, headers, bodyStart) = head(raw) else { return nil }
        var body = Array(raw[bodyStart...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            var decoder = ChunkDecoder()
            guard let decoded = decoder.feed(body) else { return nil }
            body = decoded
        } else if let length = headers["content-length"].flatMap(Int.init), length <= body.count {
            body = Array(body.prefix(length))
        }
        return Reply(status: status, body: body)
    }

    /// The status, the headers (names lowercased) and where the body starts, once the head is complete.
    static func head(_ raw: [UInt8]) -> (Int, [String: String], Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard raw.count >= 4, let end = (0...(raw.count - 4)).first(where: { raw[$0..<$0 + 4].elementsEqual(separator) }) else {
            return nil
        }
        let lines = String(decoding: raw[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers, end + 4)
    }

    /// `chunked` transfer coding, fed as bytes arrive.
    struct ChunkDecoder {
        private var pending: [UInt8] = []
        private(set) var finished = false

        /// The body bytes decoded so far from `bytes` (and what was left over before); nil on a
        /// malformed chunk.
        mutating func feed(_ bytes: [UInt8]) -> [UInt8]? {
            pending += bytes
            var out: [UInt8] = []
            while !finished {
                guard let lineEnd = (0..<max(0, pending.count - 1)).first(where: { pending[$0] == 13 && pending[$0 + 1] == 10 }) else { break }
                let sizeText = String(decoding: pending[0..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else { return nil }
                if size == 0 {
                    finished = true
                    pending = []
                    break
                }
                guard pending.count >= lineEnd + 2 + size + 2 else { break }
                out += pending[(lineEnd + 2)..<(lineEnd + 2 + size)]
                pending.removeFirst(lineEnd + 2 + size + 2)
            }
            return out
        }
    }

    /// A path segment percent-encoded (a device's name may hold spaces or slashes).
    static func segment(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `?a=1&b=2` of the parameters that are set (values percent-encoded), or "".
    static func query(_ items: [(String, String?)]) -> String {
        let set = items.compactMap { name, value in value.map { "\(name)=\(segment($0))" } }
        return set.isEmpty ? "" : "?" + set.joined(separator: "&")
    }
}
