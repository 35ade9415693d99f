import Foundation
import NIOCore
import NIOPosix

/// One HTTP/1.1 exchange per TCP connection, as eWeLink firmware wants it (`Connection: close`),
/// written directly on a NIO channel: the request goes out in one write and the reply is read
/// until its `Content-Length` is complete (or the device closes). Lighter than a pooled HTTP
/// client for a protocol that never reuses connections.
enum ZeroconfTransport {
    struct Reply {
        var status: Int
        var body: [UInt8]
    }

    enum Failure: Error {
        /// The peer closed before a complete reply.
        case closedEarly
        case malformedReply(String)
        case timedOut
    }

    /// Connects, writes the request and collects the reply entirely on one event loop; the
    /// caller awaits a single future (one thread hop per command).
    static func post(host: String, port: Int, path: String, body: [UInt8], timeout: Duration) async throws -> Reply {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: Reply.self)
        var request = ByteBuffer()
        request.writeString("POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/json\r\n"
            + "Accept: application/json\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n")
        request.writeBytes(body)
        let requestBytes = request
        let limit = TimeAmount.nanoseconds(timeout.nanosecondsAtLeastOneMillisecond)
        let deadline = NIODeadline.now() + limit
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(limit)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ReplyCollector(promise: promise, deadline: deadline))
                }
            }
        connect(bootstrap, host: host, port: port).whenComplete { result in
            switch result {
            case .success(let channel): channel.writeAndFlush(requestBytes, promise: nil)
            case .failure(let error): promise.fail(error)
            }
        }
        return try await promise.futureResult.get()
    }

    /// Accumulates the reply; completes the promise once, on a whole reply, an error, the
    /// peer's close or the deadline.
    final class ReplyCollector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let promise: EventLoopPromise<Reply>
        private let deadline: NIODeadline
        private var received: [UInt8] = []
        private var timer: Scheduled<Void>?

        init(promise: EventLoopPromise<Reply>, deadline: NIODeadline) {
            self.promise = promise
            self.deadline = deadline
        }

        func channelActive(context: ChannelHandlerContext) {
            let channel = context.channel
            let promise = self.promise
            timer = context.eventLoop.scheduleTask(deadline: deadline) {
                promise.fail(Failure.timedOut)
                channel.close(promise: nil)
            }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received += buffer.readableBytesView
            do {
                if let reply = try ZeroconfTransport.parse(received, complete: false) { finish(.success(reply), context) }
            } catch {
                finish(.failure(error), context)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            do {
                if let reply = try ZeroconfTransport.parse(received, complete: true) {
                    finish(.success(reply), context)
                } else {
                    finish(.failure(Failure.closedEarly), context)
                }
            } catch {
                finish(.failure(error), context)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            finish(.failure(error), context)
        }

        private func finish(_ result: Result<Reply, any Error>, _ context: ChannelHandlerContext) {
            timer?.cancel()
            promise.completeWith(result)
            if context.channel.isActive { context.close(promise: nil) }
        }
    }

    /// A reply once it is whole: headers, then `Content-Length` bytes (or everything up to
    /// the close when there is no length). Chunked bodies are decoded.
    static func parse(_ bytes: [UInt8], complete: Bool) throws -> Reply? {
        guard let end = headerEnd(bytes) else {
            if complete && !bytes.isEmpty { throw Failure.malformedReply("no HTTP header") }
            return nil
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        guard let statusLine = head.first, statusLine.hasPrefix("HTTP/"),
              let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw Failure.malformedReply("not an HTTP status line")
        }
        var length: Int? = nil
        var chunked = false
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding" && value.lowercased().contains("chunked") { chunked = true }
        }
        let body = Array(bytes[(end + 4)...])
        if chunked {
            guard let decoded = dechunk(body) else {
                if complete { throw Failure.malformedReply("truncated chunked body") }
                return nil
            }
            return Reply(status: status, body: decoded)
        }
        if let length {
            if body.count >= length { return Reply(status: status, body: Array(body.prefix(length))) }
            if complete { throw Failure.closedEarly }
            return nil
        }
        return complete ? Reply(status: status, body: body) : nil
    }

    private static func headerEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }

    private static func dechunk(_ b: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while true {
            guard let lineEnd = (i..<max(i, b.count - 1)).first(where: { b[$0] == 13 && b[$0 + 1] == 10 }) else { return nil }
            let sizeText = String(decoding: b[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            let start = lineEnd + 2
            if size == 0 { return out }
            guard start + size + 2 <= b.count else { return nil }
            out += b[start..<(start + size)]
            i = start + size + 2
        }
    }
}

extension ZeroconfTransport {
    /// Connects; an address literal skips name resolution (getaddrinfo runs on another thread in NIO).
    static func connect(_ bootstrap: ClientBootstrap, host: String, port: Int) -> EventLoopFuture<any Channel> {
        if let address = try? SocketAddress(ipAddress: host, port: port) { return bootstrap.connect(to: address) }
        return bootstrap.connect(host: host, port: port)
    }

    /// Whether a TCP connection to `host:port` opens within `timeout` (closed at once, nothing sent).
    static func canConnect(host: String, port: Int, timeout: Duration) async -> Bool {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(timeout.nanosecondsAtLeastOneMillisecond))
        do {
            let channel = try await connect(bootstrap, host: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
