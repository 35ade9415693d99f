import Synchronization

/// Hands every hub event to each subscriber (an `/events` client): one bounded buffer per
/// subscriber, so a client that stops reading loses its oldest events, never anyone else's.
final class EventFanout: Sendable {
    /// One line of the stream: the SSE event name (nil: the default, a device event) and its JSON.
    struct Item: Sendable {
        var name: String?
        var data: String
        /// Only for subscribers that asked for this device (nil: every subscriber).
        var deviceID: String?
        /// A comment line (a keep-alive): clients ignore it, a dead connection shows on writing it.
        var isComment = false
    }

    private struct State {
        var next = 0
        var subscribers: [Int: (filter: String?, sink: AsyncStream<Item>.Continuation)] = [:]
        var closed = false
    }

    private let state = Mutex(State())
    /// Events kept per subscriber that has not read them yet.
    let bufferLimit: Int

    init(bufferLimit: Int = 1024) { self.bufferLimit = bufferLimit }

    var count: Int { state.withLock { $0.subscribers.count } }

    /// A stream of the events from now on (only `deviceID`'s when given); it ends when the hub
    /// shuts down or `unsubscribe` is called with the returned id.
    func subscribe(deviceID: String? = nil) -> (id: Int, events: AsyncStream<Item>) {
        let (stream, sink) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let id = state.withLock { s -> Int? in
            guard !s.closed else { return nil }
            s.next += 1
            s.subscribers[s.next] = (deviceID, sink)
            return s.next
        }
        guard let id else {
            sink.finish()
            return (0, stream)
        }
        return (id, stream)
    }

    func unsubscribe(_ id: Int) {
        state.withLock { $0.subscribers.removeValue(forKey: id) }?.sink.finish()
    }

    func publish(_ item: Item) {
        let sinks = state.withLock { s in
            s.subscribers.values.filter { item.deviceID == nil || $0.filter == nil || $0.filter == item.deviceID }.map(\.sink)
        }
        for sink in sinks { sink.yield(item) }
    }

    /// Ends every stream and refuses new subscribers (graceful shutdown).
    func close() {
        let sinks = state.withLock { s -> [AsyncStream<Item>.Continuation] in
            s.closed = true
            defer { s.subscribers = [:] }
            return s.subscribers.values.map(\.sink)
        }
        for sink in sinks { sink.finish() }
    }
}
