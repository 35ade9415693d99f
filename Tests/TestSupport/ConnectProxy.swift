import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP `CONNECT` proxy on 127.0.0.1 that records each tunnel asked for (`host:port`) and
/// opens it to 127.0.0.1 at that port whatever the host (tests talk to loopback only). Blocking
/// sockets on threads, like `HostileHTTPServer`.
public final class ConnectProxy: Sendable {
    private let listener: LoopbackListener
    private let tunnels = Mutex<[String]>([])

    public var port: Int { listener.port }
    /// The `host:port` of every CONNECT received, in order.
    public var targets: [String] { tunnels.withLock { $0 } }
    /// `http://127.0.0.1:PORT`, for `HTTPS_PROXY`.
    public var url: String { "http://127.0.0.1:\(port)" }

    public init() throws {
        listener = try LoopbackListener()
        listener.start { [self] client in serve(client) }
    }

    public func stop() { listener.stop() }

    deinit { stop() }

    /// Reads the CONNECT head, opens the tunnel, answers 200, then copies both ways.
    private func serve(_ client: Int32) {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while head.count < 8192, !head.reversed().starts(with: Array("\n\r\n\r".utf8)) {
            guard recv(client, &byte, 1, 0) == 1 else { close(client); return }
            head.append(byte)
        }
        let words = String(decoding: head, as: UTF8.self).split(separator: "\r\n").first?.split(separator: " ") ?? []
        guard words.count == 3, words[0] == "CONNECT", let colon = words[1].lastIndex(of: ":"),
              let port = Int(words[1][words[1].index(after: colon)...]) else {
            Self.reply(client, "HTTP/1.1 400 Bad Request\r\n\r\n")
            close(client)
            return
        }
        tunnels.withLock { $0.append(String(words[1])) }
        let upstream = RawHTTP.connectTo(port: port, timeout: 0)
        guard upstream >= 0 else {
            Self.reply(client, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
            close(client)
            return
        }
        Self.reply(client, "HTTP/1.1 200 Connection established\r\n\r\n")
        let done = DispatchSemaphore(value: 0)
        Thread { Self.copy(from: upstream, to: client); done.signal() }.start()
        Self.copy(from: client, to: upstream)
        done.wait()
        close(client)
        close(upstream)
    }

    private static func reply(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL))
    }

    /// Copies until `from` ends, then ends the writing side of `to`.
    private static func copy(from: Int32, to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(from, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            guard send(to, buffer, n, Int32(MSG_NOSIGNAL)) == n else { break }
        }
        shutdown(to, Int32(SHUT_WR))
        shutdown(from, Int32(SHUT_RD))
    }
}
