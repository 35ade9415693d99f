import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A TCP server on 127.0.0.1 that records every byte each connection sends and answers each
/// request with one canned zeroconf reply (`{"seq":1,"error":0}`, DIY style): a stand-in device
/// for checking exactly what a client puts on the wire.
public final class WireRecorder: Sendable {
    public let port: Int
    private let listener: Int32
    private let received = Mutex<[[UInt8]]>([])
    private let stopped = Atomic<Bool>(false)

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    /// The bytes of each connection so far, in order of arrival.
    public var connections: [[UInt8]] { received.withLock { $0 } }

    /// Everything received, as text.
    public var text: String { connections.map { String(decoding: $0, as: UTF8.self) }.joined() }

    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let conn = accept(listener, nil, nil)
            guard conn >= 0 else { return }
            let index = received.withLock { $0.append([]); return $0.count - 1 }
            serve(conn, index: index)
        }
    }

    /// Reads one request (headers, then `Content-Length` bytes; at most 2 s), keeps whatever else
    /// arrives within that time too, answers, and closes.
    private func serve(_ conn: Int32, index: Int) {
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            let n = recv(conn, &buffer, buffer.count, 0)
            if n > 0 {
                bytes += buffer[0..<n]
                received.withLock { $0[index] = bytes }
            } else if n == 0 {
                break
            } else if Self.complete(bytes) {
                break  // idle after a whole request
            }
        }
        let body = #"{"seq":1,"sequence":"1","error":0}"#
        let reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n" + body
        _ = reply.withCString { send(conn, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        close(conn)
    }

    /// Whether `bytes` hold a header block and the body its `Content-Length` announces.
    static func complete(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let length = text[..<end.lowerBound].split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        return text[end.upperBound...].utf8.count >= length
    }
}
