#if canImport(Glibc)
import Glibc
#endif

/// The same exchange as `ZeroconfTransport.post`, on the calling thread: a non-blocking socket
/// and `poll` for the deadline, no event loop and no thread. A one-shot process spends more on
/// starting NIO's event loop and the concurrency pool than the whole exchange takes on a LAN;
/// this is the lean path of `ZeroconfClient.sendBlocking`. Address literals only: a host name
/// would need a resolver, which the event-loop path has.
extension ZeroconfTransport {
    /// Whether `host` is an IPv4 or IPv6 address literal (what `postBlocking` can reach).
    static func isAddressLiteral(_ host: String) -> Bool {
        SocketAddress4or6(host: host, port: 0) != nil
    }

    /// Connects, writes the request and reads the reply until it is whole (or the device closes),
    /// all before `deadline`.
    static func postBlocking(host: String, port: Int, path: String, body: [UInt8],
                             deadline: ContinuousClock.Instant,
                             limits: HTTPReplyParser.Limits = .standard) throws(Failure) -> Reply {
        guard let address = SocketAddress4or6(host: host, port: port) else {
            throw .malformedReply("\(host) is not an address literal")
        }
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(errno) }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        try connect(fd, to: address, deadline: deadline)
        try write(fd, request(host: host, port: port, path: path, body: body), deadline: deadline)
        var parser = HTTPReplyParser(limits: limits)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            try wait(fd, for: Int16(POLLIN), deadline: deadline)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            do throws(HTTPReplyParser.Failure) {
                if n > 0 {
                    if let reply = try parser.feed(buffer[0..<n]) { return reply }
                    continue
                }
                if n == 0 { return try parser.finish() }
            } catch {
                throw Failure(error)
            }
            if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { throw .system(errno) }
        }
    }

    private static func connect(_ fd: Int32, to address: SocketAddress4or6, deadline: ContinuousClock.Instant) throws(Failure) {
        let started = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        if started == 0 { return }
        guard errno == EINPROGRESS || errno == EINTR else { throw .system(errno) }
        try wait(fd, for: Int16(POLLOUT), deadline: deadline)
        var problem: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &problem, &size) == 0 else { throw .system(errno) }
        if problem != 0 { throw .system(problem) }
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(Failure) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try wait(fd, for: Int16(POLLOUT), deadline: deadline)
            } else if errno != EINTR {
                throw .system(errno)
            }
        }
    }

    /// Waits until `fd` is ready for `events`, or throws `.timedOut` at the deadline.
    private static func wait(_ fd: Int32, for events: Int16, deadline: ContinuousClock.Instant) throws(Failure) {
        while true {
            let left = deadline - .now
            guard left > .zero else { throw .timedOut }
            // Rounded up: a wait of 0 ms would spin.
            let ms = Int32(clamping: (left.nanosecondsAtLeastOneMillisecond + 999_999) / 1_000_000)
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, ms)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .system(errno) }
        }
    }
}

/// An IPv4 or IPv6 socket address from an address literal.
private struct SocketAddress4or6 {
    private var storage = sockaddr_storage()
    private var length: socklen_t = 0
    private(set) var family: Int32 = AF_INET

    init?(host: String, port: Int) {
        guard (0...65535).contains(port) else { return nil }
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            keep(v4, family: AF_INET)
            return
        }
        var v6 = sockaddr_in6()
        guard inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 else { return nil }
        v6.sin6_family = sa_family_t(AF_INET6)
        v6.sin6_port = in_port_t(UInt16(port).bigEndian)
        keep(v6, family: AF_INET6)
    }

    private mutating func keep<Address>(_ address: Address, family: Int32) {
        withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
        length = socklen_t(MemoryLayout<Address>.size)
        self.family = family
    }

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafeBytes(of: storage) { raw in body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }
}
