import EWeLink
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The CLI's side of the hub (`ewelink serve`): one HTTP/1.1 exchange over its Unix socket, made
/// with blocking calls before Swift concurrency starts. When no hub listens (no socket file, or
/// nobody accepting) the command does the work itself; that check is one `connect`.
///
/// Hand-written rather than AsyncHTTPClient: the request is one fixed line to a server we ship,
/// and starting an event loop would cost more than the whole exchange. The reply is read by
/// `HTTPReply` (EWeLinkLAN's bounded parser).
package enum HubClient {
    package enum Outcome {
        /// No hub here: do the work in this process.
        case noHub
        case reply(HTTPReply)
        /// The hub took the request but did not answer it (exit 1, nothing done twice).
        case failed(Failure)
    }

    /// Why the hub did not answer a request it took.
    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case closed(path: String)
        case timedOut(path: String, seconds: Int)
        case reading(path: String, reason: String)
        case notHTTP(path: String)

        package var description: String {
            switch self {
            case .closed(let path): return "the hub at \(path) closed the connection"
            case .timedOut(let path, let seconds): return "the hub at \(path) did not answer within \(seconds) s"
            case .reading(let path, let reason): return "reading from the hub at \(path): \(reason)"
            case .notHTTP(let path): return "the hub at \(path) sent an answer that is not HTTP"
            }
        }
    }

    /// Longest wait for an answer: the hub bounds every command at 30 s.
    package static let replyTimeoutSeconds = 35

    /// Connects to the hub's socket, or nil when there is none or it is not safe to use (not ours,
    /// or others may write to it: someone else's server could answer in the hub's name; `unsafe`
    /// is told why, to warn).
    package static func connect(_ path: String = HubAddress.socketPath(), unsafe: (String) -> Void = { _ in }) -> Int32? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        guard st.st_mode & S_IFMT == S_IFSOCK else { return nil }
        guard st.st_uid == geteuid(), st.st_mode & 0o077 == 0 else {
            unsafe("not using the hub socket \(path): "
                + (st.st_uid != geteuid() ? "it belongs to uid \(st.st_uid)" : "its mode \(String(st.st_mode & 0o777, radix: 8)) lets others in")
                + "; working without the hub")
            return nil
        }
        return UnixSocket.connect(path, receiveTimeoutSeconds: replyTimeoutSeconds, sendTimeoutSeconds: 5)
    }

    /// One request and its whole answer.
    package static func exchange(_ method: String, _ target: String, body: [UInt8] = [],
                                 path: String = HubAddress.socketPath(), unsafe: (String) -> Void = { _ in }) -> Outcome {
        guard let fd = connect(path, unsafe: unsafe) else { return .noHub }
        defer { close(fd) }
        guard send(fd, request(method, target, body: body)) else { return .failed(.closed(path: path)) }
        var pending: [UInt8] = []
        switch HTTPReply.read(fd, pending: &pending) {
        case .success(let reply): return .reply(reply)
        case .failure(.timedOut): return .failed(.timedOut(path: path, seconds: replyTimeoutSeconds))
        case .failure(.reading(let reason)): return .failed(.reading(path: path, reason: reason))
        case .failure(.closed), .failure(.notHTTP): return .failed(.notHTTP(path: path))
        }
    }

    package static func request(_ method: String, _ target: String, body: [UInt8]) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: ewelink-hub\r\nConnection: close\r\n"
        if method != "GET" || !body.isEmpty {
            head += "Content-Length: \(body.count)\r\n"
            if !body.isEmpty { head += "Content-Type: application/json\r\n" }
        }
        return Array((head + "\r\n").utf8) + body
    }

    package static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool { UnixSocket.send(fd, bytes) }

    /// A path segment percent-encoded (a device's name may hold spaces or slashes).
    package static func segment(_ text: String) -> String { text.percentEncoded }

    /// `?a=1&b=2` of the parameters that are set (values percent-encoded), or "".
    package static func query(_ items: [(String, String?)]) -> String {
        let set = items.compactMap { name, value in value.map { "\(name)=\(segment($0))" } }
        return set.isEmpty ? "" : "?" + set.joined(separator: "&")
    }
}
