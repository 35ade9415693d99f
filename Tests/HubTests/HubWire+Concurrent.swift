import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension HubWire {
    /// One answer of `concurrent`: its status (nil: none before the deadline) and when it came.
    struct Timed {
        var status: Int?
        var after: Duration
        var text: String
    }

    /// Sends every request at once, each on its own connection to the Unix socket, and waits up
    /// to `seconds` for all the answers (one thread polling them all).
    static func concurrent(_ path: String, _ requests: [(method: String, target: String)], seconds: Int) -> [Timed] {
        let started = ContinuousClock.now
        var fds: [Int32] = []
        for r in requests {
            guard let fd = connect(path) else { fds.append(-1); continue }
            let head = "\(r.method) \(r.target) HTTP/1.1\r\nHost: hub\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
            _ = write(fd, Array(head.utf8))
            fds.append(fd)
        }
        var raw = [[UInt8]](repeating: [], count: fds.count)
        var done = [ContinuousClock.Instant?](repeating: nil, count: fds.count)
        let deadline = started + .seconds(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            let open = fds.indices.filter { fds[$0] >= 0 && done[$0] == nil }
            if open.isEmpty { break }
            var pfds = open.map { pollfd(fd: fds[$0], events: Int16(POLLIN), revents: 0) }
            guard poll(&pfds, nfds_t(pfds.count), 100) > 0 else { continue }
            for (k, i) in open.enumerated() where pfds[k].revents != 0 {
                let n = read(fds[i], &buffer, buffer.count)
                if n > 0 { raw[i] += buffer[0..<n] } else { done[i] = ContinuousClock.now }
            }
        }
        for fd in fds where fd >= 0 { close(fd) }
        return fds.indices.map { i in
            let reply = done[i] == nil ? nil : parse(raw[i])
            return Timed(status: reply?.status, after: (done[i] ?? ContinuousClock.now) - started, text: reply?.text ?? "")
        }
    }
}
