import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP server on 127.0.0.1 that answers every request with a hostile reply (issue 16):
/// it keeps sending until the client closes, the server is stopped, or a safety ceiling is hit.
/// Blocking POSIX sockets on their own threads, so a client that reads slowly cannot stall it.
public final class HostileHTTPServer: Sendable {
    public enum Behaviour: Sendable, Equatable {
        /// `Transfer-Encoding: chunked`, then 4 KB chunks that never end.
        case endlessChunkedBody
        /// A status line, then one header line that never ends.
        case endlessHeaderLine
        /// A valid zeroconf JSON reply (`{"seq":1,"error":0,"pad":"xx…"}`) of `bytes` bytes,
        /// with its `Content-Length`, or up to the close when `declared` is false.
        case body(bytes: Int, declared: Bool)
    }

    public var port: Int { listener.port }
    public let behaviour: Behaviour
    private let listener: LoopbackListener
    private let state = Mutex(Counters())

    struct Counters {
        var connections = 0
        var bytesSent = 0
    }

    /// Bytes written to clients so far (all connections).
    public var bytesSent: Int { state.withLock { $0.bytesSent } }
    public var connections: Int { state.withLock { $0.connections } }

    /// Writes stop after this many bytes per connection even if the client keeps reading.
    static let ceiling = 256 * 1024 * 1024

    public init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        listener = try LoopbackListener()
        listener.start { [self] client in
            state.withLock { $0.connections += 1 }
            serve(client)
        }
    }

    /// Stops accepting and ends every connection's writing.
    public func stop() { listener.stop() }

    deinit { stop() }

    private var stopped: Bool { listener.isStopped }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        readRequest(fd)
        switch behaviour {
        case .endlessChunkedBody:
            guard write(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n") else { return }
            let chunk = Array("1000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 4096) + Array("\r\n".utf8)
            while write(fd, chunk) {}
        case .endlessHeaderLine:
            guard write(fd, "HTTP/1.1 200 OK\r\nX-Endless: ") else { return }
            let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 4096)
            while write(fd, piece) {}
        case .body(let bytes, let declared):
            let prefix = Array(#"{"seq":1,"error":0,"pad":""#.utf8), suffix = Array(#""}"#.utf8)
            let padding = max(0, bytes - prefix.count - suffix.count)
            var head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            if declared { head += "Content-Length: \(prefix.count + padding + suffix.count)\r\n" }
            guard write(fd, head + "\r\n"), write(fd, prefix) else { return }
            let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 16 * 1024)
            var left = padding
            while left > 0 {
                guard write(fd, Array(piece.prefix(left))) else { return }
                left -= min(left, piece.count)
            }
            _ = write(fd, suffix)
        }
    }

    /// Reads the request head and its body (the client writes it in one go).
    private func readRequest(_ fd: Int32) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let separator = Array("\r\n\r\n".utf8)
        while received.count < 64 * 1024 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            received += buffer[..<n]
            guard let end = (0...max(0, received.count - 4)).first(where: { received[$0...].starts(with: separator) })
            else { continue }
            let head = String(decoding: received[..<end], as: UTF8.self).lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if end + 4 + length <= received.count { return }
        }
    }

    /// Sends everything; false once the client is gone, the server stopped or the ceiling is hit.
    private func write(_ fd: Int32, _ text: String) -> Bool { write(fd, Array(text.utf8)) }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            if stopped { return false }
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
            let total = state.withLock { s -> Int in
                s.bytesSent += n
                return s.bytesSent
            }
            if total > Self.ceiling { return false }
        }
        return true
    }
}
