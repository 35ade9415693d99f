#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOPosix

/// One HTTP/1.1 exchange per TCP connection, as eWeLink firmware wants it (`Connection: close`),
/// written directly on a NIO channel: the request goes out in one write and the reply is parsed
/// as it arrives (`HTTPReplyParser`, with caps) until it is whole (or the device closes). Lighter
/// than a pooled HTTP client for a protocol that never reuses connections.
enum ZeroconfTransport {
    typealias Reply = HTTPReplyParser.Reply

    enum Failure: Error {
        /// The peer closed before a complete reply.
        case closedEarly
        case malformedReply(String)
        /// A part of the reply crossed its cap (`HTTPReplyParser.Limits`); the connection was closed at once.
        case tooLarge(HTTPReplyParser.Part, limit: Int)
        case timedOut
        /// A system call failed with this errno (the blocking transport's connect, write or read).
        case system(Int32)

        init(_ failure: HTTPReplyParser.Failure) {
            switch failure {
            case .truncated: self = .closedEarly
            case .malformed(let why): self = .malformedReply(why)
            case .tooLarge(let part, let limit): self = .tooLarge(part, limit: limit)
            }
        }
    }

    /// The request's bytes: one POST, closed after the reply (the same on both transports).
    static func request(host: String, port: Int, path: String, body: [UInt8]) -> [UInt8] {
        Array(("POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/json\r\n"
            + "Accept: application/json\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n").utf8) + body
    }

    /// Connects, writes the request and collects the reply entirely on one event loop; the
    /// caller awaits a single future (one thread hop per command).
    static func post(host: String, port: Int, path: String, body: [UInt8], timeout: Duration,
                     limits: HTTPReplyParser.Limits = .standard) async throws -> Reply {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: Reply.self)
        let requestBytes = ByteBuffer(bytes: request(host: host, port: port, path: path, body: body))
        let limit = TimeAmount.nanoseconds(timeout.nanosecondsAtLeastOneMillisecond)
        let deadline = NIODeadline.now() + limit
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(limit)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ReplyCollector(promise: promise, deadline: deadline, limits: limits))
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

    /// Feeds each read to the parser (nothing is kept beyond its caps); completes the promise
    /// once, on a whole reply, a parse failure or cap, an error, the peer's close or the deadline.
    final class ReplyCollector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let promise: EventLoopPromise<Reply>
        private let deadline: NIODeadline
        private var parser: HTTPReplyParser
        private var finished = false
        private var timer: Scheduled<Void>?

        init(promise: EventLoopPromise<Reply>, deadline: NIODeadline, limits: HTTPReplyParser.Limits) {
            self.promise = promise
            self.deadline = deadline
            parser = HTTPReplyParser(limits: limits)
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
            guard !finished else { return }
            let buffer = unwrapInboundIn(data)
            do {
                if let reply = try parser.feed(buffer.readableBytesView) { finish(.success(reply), context) }
            } catch {
                finish(.failure(Failure(error)), context)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            guard !finished else { return }
            do {
                finish(.success(try parser.finish()), context)
            } catch {
                finish(.failure(Failure(error)), context)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            finish(.failure(error), context)
        }

        private func finish(_ result: Result<Reply, any Error>, _ context: ChannelHandlerContext) {
            finished = true
            timer?.cancel()
            promise.completeWith(result)
            if context.channel.isActive { context.close(promise: nil) }
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
