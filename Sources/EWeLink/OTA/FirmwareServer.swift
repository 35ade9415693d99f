import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Serves one firmware image over plain HTTP for a DIY `ota_flash`: only that file, under an
/// unguessable path, with the Range requests the firmware downloads in, on the address facing the
/// device, and only until `stop()`. Anything else gets 404.
package final class FirmwareServer: Sendable {
    private let image: [UInt8]
    /// The unguessable path the image is served under (`/ota/<32 hex digits>.bin`).
    package let path: String
    private let channel: any Channel
    private let state: HandlerState

    /// Binds `host` (the local address the device reaches us at) on a free port.
    package init(image: [UInt8], host: String) async throws {
        self.image = image
        var token = [UInt8](repeating: 0, count: 16)
        for i in token.indices { token[i] = UInt8.random(in: 0...255) }
        path = "/ota/" + Digest.hex(token) + ".bin"
        let box = HandlerState(image: image, path: path)
        state = box
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(FileHandler(state: box))
                }
            }
            .bind(host: host, port: 0).get()
    }

    /// The port it listens on (chosen by the system).
    package var port: Int { channel.localAddress?.port ?? 0 }
    /// The image's URL to hand to the device in `ota_flash`.
    package var url: String {
        let host = channel.localAddress?.ipAddress ?? "127.0.0.1"
        return "http://\(host):\(port)\(path)"
    }
    /// Bytes of the image sent so far.
    package var bytesServed: Int { state.served.withLock { $0 } }

    /// Closes the listener; a download under way is cut.
    package func stop() async {
        try? await channel.close()
    }

    /// The local IPv4 address the kernel would use to reach `host` (no packet is sent).
    package static func localAddress(toward host: String) -> String? {
        if host.hasPrefix("127.") || host == "localhost" { return "127.0.0.1" }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(LANProtocol.port).bigEndian
        guard inet_pton(AF_INET, host, &remote.sin_addr) == 1 else { return nil }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &local.sin_addr, &text, socklen_t(INET_ADDRSTRLEN)) != nil else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// What the connection handlers share.
private final class HandlerState: Sendable {
    let image: [UInt8]
    let path: String
    let served = Mutex(0)
    init(image: [UInt8], path: String) {
        self.image = image
        self.path = path
    }
}

private final class FileHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private let state: HandlerState
    private var head: HTTPRequestHead?

    init(state: HandlerState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            respond(context: context, head: head)
            self.head = nil
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let image = state.image
        guard head.method == .GET || head.method == .HEAD, head.uri == state.path else {
            return send(context, status: .notFound, headers: [:], body: [], keepAlive: head.isKeepAlive)
        }
        var range = 0..<image.count
        var status = HTTPResponseStatus.ok
        var headers: HTTPHeaders = ["Content-Type": "application/octet-stream", "Accept-Ranges": "bytes"]
        if let spec = head.headers.first(name: "Range") {
            guard let r = Self.parseRange(spec, size: image.count) else {
                headers.add(name: "Content-Range", value: "bytes */\(image.count)")
                return send(context, status: .rangeNotSatisfiable, headers: headers, body: [], keepAlive: head.isKeepAlive)
            }
            range = r
            status = .partialContent
            headers.add(name: "Content-Range", value: "bytes \(r.lowerBound)-\(r.upperBound - 1)/\(image.count)")
        }
        let body = head.method == .HEAD ? [] : Array(image[range])
        headers.add(name: "Content-Length", value: String(range.count))
        state.served.withLock { $0 += body.count }
        send(context, status: status, headers: headers, body: body, keepAlive: head.isKeepAlive, length: range.count)
    }

    /// `bytes=a-b`, `bytes=a-`, `bytes=-n` (one range; firmware asks for one at a time).
    static func parseRange(_ spec: String, size: Int) -> Range<Int>? {
        guard spec.hasPrefix("bytes="), !spec.contains(","), size > 0 else { return nil }
        let parts = spec.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let n = Int(parts[1]), n > 0 else { return nil }
            return max(0, size - n)..<size
        }
        guard let start = Int(parts[0]), start < size else { return nil }
        let end = parts[1].isEmpty ? size - 1 : min(Int(parts[1]) ?? -1, size - 1)
        guard end >= start else { return nil }
        return start..<(end + 1)
    }

    private func send(_ context: ChannelHandlerContext, status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8],
                      keepAlive: Bool, length: Int? = nil) {
        var headers = headers
        if length == nil { headers.replaceOrAdd(name: "Content-Length", value: String(body.count)) }
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }
}
