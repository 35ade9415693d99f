import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 reply read from a blocking socket with EWeLinkLAN's bounded `HTTPReplyParser`:
/// how the CLI reads the hub's answers, and the tests and the benchmark read any loopback server's.
/// One parser for every reply head in the package, so a fix to it fixes them all.
package struct HTTPReply: Sendable, Equatable {
    package var status: Int
    /// Header fields, names lowercased.
    package var headers: [String: String]
    package var body: [UInt8]

    package init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Caps for a client of our own servers: a hub's device list of a few hundred devices, a
    /// simulator's or mock cloud's pages. Wide, but a peer still cannot make us buffer without end.
    package static let limits = HTTPReplyParser.Limits(headerBytes: 64 * 1024, bodyBytes: 32 * 1024 * 1024)

    /// Why no reply was read.
    package enum ReadFailure: Error, Sendable, Equatable {
        /// Nothing came within the socket's receive timeout.
        case timedOut
        /// The peer closed (or reset) before a whole reply.
        case closed
        /// A read failed (`strerror` text).
        case reading(String)
        /// What came is not an HTTP reply, or crossed a cap.
        case notHTTP(HTTPReplyParser.Failure)
    }

    /// The reply in `raw`, the whole of what a connection received up to its close; nil when it
    /// is not one whole HTTP reply.
    package static func parse(_ raw: [UInt8], limits: HTTPReplyParser.Limits = limits) -> HTTPReply? {
        var parser = HTTPReplyParser(limits: limits)
        do throws(HTTPReplyParser.Failure) {
            var reply = try parser.feed(raw)
            if reply == nil { reply = try parser.finish() }
            guard let reply else { return nil }
            return HTTPReply(status: reply.status, headers: parser.headers, body: reply.body)
        } catch {
            return nil
        }
    }

    /// Reads one reply from `fd`: first what was received before (`pending`), then from the
    /// socket until the reply is whole or the peer closes. What came after the reply (the next
    /// reply on a kept-alive connection) is left in `pending`.
    package static func read(_ fd: Int32, pending: inout [UInt8], limits: HTTPReplyParser.Limits = limits)
        -> Result<HTTPReply, ReadFailure> {
        var parser = HTTPReplyParser(limits: limits)
        var bytes = pending
        pending = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        do throws(HTTPReplyParser.Failure) {
            while true {
                if !bytes.isEmpty, let reply = try parser.feed(bytes) {
                    pending = Array(bytes.suffix(parser.bytesAfterReply))
                    return .success(HTTPReply(status: reply.status, headers: parser.headers, body: reply.body))
                }
                let n = Glibc.read(fd, &buffer, buffer.count)
                if n > 0 {
                    bytes = Array(buffer[0..<n])
                    continue
                }
                if n == 0 {
                    let reply = try parser.finish()
                    return .success(HTTPReply(status: reply.status, headers: parser.headers, body: reply.body))
                }
                if errno == EINTR {
                    bytes = []
                    continue
                }
                return .failure(errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .reading(String(cString: strerror(errno))))
            }
        } catch .truncated {
            return .failure(.closed)
        } catch {
            return .failure(.notHTTP(error))
        }
    }
}
