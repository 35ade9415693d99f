#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A connected Unix stream socket, with blocking calls: what the CLI, the hub's start-up check,
/// the benchmark and the tests use to reach the hub's socket.
public enum UnixSocket {
    /// A socket connected to `path`, or nil (no such socket, nobody accepting, path too long).
    /// `receiveTimeoutSeconds`/`sendTimeoutSeconds`: bounds on each blocking read/write.
    public static func connect(_ path: String, receiveTimeoutSeconds: Int? = nil, sendTimeoutSeconds: Int? = nil) -> Int32? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        let size = socklen_t(MemoryLayout<sockaddr_un>.size)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, size) == 0 }
        }
        guard connected else {
            close(fd)
            return nil
        }
        if let seconds = receiveTimeoutSeconds { setTimeout(fd, SO_RCVTIMEO, seconds) }
        if let seconds = sendTimeoutSeconds { setTimeout(fd, SO_SNDTIMEO, seconds) }
        return fd
    }

    private static func setTimeout(_ fd: Int32, _ option: Int32, _ seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes` (no SIGPIPE); false when the peer is gone.
    public static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }
}
