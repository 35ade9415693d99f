import NIOCore
import Synchronization

/// Notices a client leaving while its request is being answered (it closed its connection, or its
/// sending side), so a command or status read it no longer waits for gives up its slot at once
/// instead of at the hub's limit. Seen at the front of the pipeline: NIO's HTTP pipelining handler
/// holds the end of input back until the response is written.
final class ClientDepartures: Sendable {
    private struct State {
        var watchers: [ObjectIdentifier: [Int: @Sendable () -> Void]] = [:]
        var gone: Set<ObjectIdentifier> = []
        var next = 0
    }

    private let state = Mutex(State())

    /// `body`, cancelled when the client on `channel` leaves before it ends.
    func run<T: Sendable>(on channel: any Channel, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let id = ObjectIdentifier(channel)
        let key = state.withLock { s -> Int? in
            if s.gone.contains(id) { return nil }
            s.next += 1
            s.watchers[id, default: [:]][s.next] = { task.cancel() }
            return s.next
        }
        if key == nil { task.cancel() }
        defer {
            if let key {
                state.withLock { s in
                    s.watchers[id]?[key] = nil
                    if s.watchers[id]?.isEmpty == true { s.watchers[id] = nil }
                }
            }
        }
        return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
    }

    /// The client on `channel` left: what it waits for is cancelled.
    func left(_ channel: any Channel, closed: Bool) {
        let id = ObjectIdentifier(channel)
        let cancels = state.withLock { s -> [@Sendable () -> Void] in
            // Once closed the identifier may be reused by another connection.
            if closed { s.gone.remove(id) } else { s.gone.insert(id) }
            return s.watchers.removeValue(forKey: id).map { Array($0.values) } ?? []
        }
        for cancel in cancels { cancel() }
    }

    /// Put in the HTTP pipeline (Hummingbird adds its handlers after the HTTP codec): adds the
    /// watching handler at the front, where the end of input is seen when it happens.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = Never
        let departures: ClientDepartures

        init(_ departures: ClientDepartures) { self.departures = departures }

        func handlerAdded(context: ChannelHandlerContext) {
            try? context.pipeline.syncOperations.addHandler(Watcher(departures), position: .first)
        }
    }

    final class Watcher: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = Never
        let departures: ClientDepartures

        init(_ departures: ClientDepartures) { self.departures = departures }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let e = event as? ChannelEvent, e == .inputClosed { departures.left(context.channel, closed: false) }
            context.fireUserInboundEventTriggered(event)
        }

        func channelInactive(context: ChannelHandlerContext) {
            departures.left(context.channel, closed: true)
            context.fireChannelInactive()
        }
    }
}
