import EWeLinkHubClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a raw HTTP exchange over loopback ended with.
public enum RawHTTPResult: Sendable, Equatable {
    case response(status: Int, headers: [String: String], body: [UInt8])
    case refused
    case reset
    case timeout
    /// The peer closed without a complete reply.
    case closed

    public var body: [UInt8]? { if case .response(_, _, let b) = self { return b } else { return nil } }
    public var status: Int? { if case .response(let s, _, _) = self { return s } else { return nil } }
}

/// Blocking POSIX-socket HTTP/1.1, run on its own thread so the cooperative pool (which the
/// simulator's handlers need) is never blocked. Tells refused, reset and timeout apart exactly.
public enum RawHTTP {
    public static func post(port: Int, path: String, body: [UInt8], timeout: Double = 5,
                            headers: [String: String] = ["Content-Type": "application/json"]) async -> RawHTTPResult {
        await request(port: port, method: "POST", path: path, body: body, timeout: timeout, headers: headers)
    }

    public static func request(port: Int, method: String, path: String, body: [UInt8], timeout: Double = 5,
                               headers: [String: String] = [:]) async -> RawHTTPResult {
        await withCheckedContinuation { cont in
            let thread = Thread {
                cont.resume(returning: exchange(port: port, method: method, path: path, body: body, timeout: timeout,
                                                headers: headers))
            }
            thread.start()
        }
    }

    /// Opens a TCP connection and holds it (a second client keeping the device busy).
    public static func holdConnection(port: Int) -> Int32? {
        let fd = connectTo(port: port, timeout: 2)
        return fd >= 0 ? fd : nil
    }

    public static func closeConnection(_ fd: Int32) { close(fd) }

    /// Whether a socket without any reuse option could bind 127.0.0.1:`port` right now (so a
    /// neighbour could take the port). The socket is closed again at once.
    public static func portIsFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func connectTo(port: Int, timeout: Double) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            let e = errno
            close(fd)
            return e == ECONNREFUSED ? -2 : -1
        }
        return fd
    }

    static func exchange(port: Int, method: String, path: String, body: [UInt8], timeout: Double,
                         headers: [String: String]) -> RawHTTPResult {
        let fd = connectTo(port: port, timeout: timeout)
        if fd == -2 { return .refused }
        if fd < 0 { return .timeout }
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        let out = Array(head.utf8) + body
        var sent = 0
        while sent < out.count {
            let n = out[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return errno == ECONNRESET || errno == EPIPE ? .reset : .timeout }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { received += buffer[0..<n]; continue }
            if n == 0 { break }
            let e = errno
            if e == ECONNRESET { return .reset }
            if e == EAGAIN || e == EWOULDBLOCK { return received.isEmpty ? .timeout : .closed }
            return .closed
        }
        return parse(received) ?? .closed
    }

    /// The reply in what the connection received, read by the package's one reply parser.
    static func parse(_ raw: [UInt8]) -> RawHTTPResult? {
        HTTPReply.parse(raw).map { .response(status: $0.status, headers: $0.headers, body: $0.body) }
    }
}
