import NIOCore
import NIOPosix

/// Asks a port that let a TLS handshake time out whether it speaks plain HTTP: some servers
/// neither answer nor close when a ClientHello arrives at their plain port. A `HEAD` request is
/// sent (no credentials, nothing of the call) and the first bytes of the answer are looked at.
enum CloudPlainHTTPProbe {
    /// Whether `host:port` answers `HTTP/…` to a plain request within `timeout`.
    static func answersPlainHTTP(host: String, port: Int, timeout: TimeAmount = .seconds(2)) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            let cut = channel.channel.eventLoop.scheduleTask(in: timeout) { channel.channel.close(promise: nil) }
            defer { cut.cancel() }
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "HEAD / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"))
                var received: [UInt8] = []
                for try await chunk in inbound {
                    received += chunk.readableBytesView
                    if received.count >= 5 { break }
                }
                return received.starts(with: Array("HTTP/".utf8))
            }
        } catch {
            return false
        }
    }
}
