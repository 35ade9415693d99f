import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket on 127.0.0.1 at a free port for the threaded test servers: blocking
/// `accept` on a thread of its own (`start`), each connection handed to `serve` on a new thread.
final class LoopbackListener: Sendable {
    let port: Int
    private let fd: Int32
    private let stoppedFlag = Mutex(false)

    /// Whether `stop` was called (servers end their loops on it).
    var isStopped: Bool { stoppedFlag.withLock { $0 } }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw TestFailure("cannot listen on 127.0.0.1")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: actual.sin_port))
    }

    /// Accepts until stopped, each connection on a new thread.
    func start(_ serve: @escaping @Sendable (Int32) -> Void) {
        Thread { [self] in
            while !isStopped {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return
                }
                Thread { serve(client) }.start()
            }
        }.start()
    }

    /// Stops accepting (once).
    func stop() {
        let first = stoppedFlag.withLock { s -> Bool in
            defer { s = true }
            return !s
        }
        guard first else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
