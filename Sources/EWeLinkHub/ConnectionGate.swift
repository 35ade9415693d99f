import NIOCore
import Synchronization

/// Keeps connections that have not shown the bearer token from crowding out those that have (TCP
/// only): each must show it within `deadline` of connecting or is closed, and at most `perAddress`
/// of them are kept per peer address — a new one past that closes that address's oldest, so a
/// client that connects and sends its request at once always gets in, however many idle
/// connections its address (or a neighbour behind it) holds.
final class ConnectionGate: Sendable {
    let perAddress: Int
    let deadline: TimeAmount

    private struct Waiting {
        var address: String
        var order: Int
        var channel: any Channel
    }

    private struct State {
        var waiting: [ObjectIdentifier: Waiting] = [:]
        var byAddress: [String: Set<ObjectIdentifier>] = [:]
        var next = 0
    }

    private let state = Mutex(State())

    init(perAddress: Int, deadline: TimeAmount) {
        self.perAddress = perAddress
        self.deadline = deadline
    }

    /// Unauthenticated connections held now (all addresses).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// A new connection: counted as waiting for its token, the deadline set; its address's oldest
    /// waiting connection closed when there are too many.
    func opened(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let address = channel.remoteAddress?.ipAddress ?? "?"
        let (fresh, evicted) = state.withLock { s -> (Bool, (any Channel)?) in
            guard s.waiting[id] == nil else { return (false, nil) }
            s.next += 1
            s.waiting[id] = Waiting(address: address, order: s.next, channel: channel)
            s.byAddress[address, default: []].insert(id)
            guard let ids = s.byAddress[address], ids.count > perAddress,
                  let oldest = ids.min(by: { (s.waiting[$0]?.order ?? 0) < (s.waiting[$1]?.order ?? 0) }) else { return (true, nil) }
            return (true, Self.remove(oldest, from: &s))
        }
        evicted?.close(promise: nil)
        guard fresh else { return }
        channel.eventLoop.scheduleTask(in: deadline) { [weak self] in
            guard let self, self.isWaiting(id) else { return }
            channel.close(promise: nil)
        }
    }

    /// The connection showed the token: no deadline, not counted any more.
    func authenticated(_ channel: any Channel) {
        _ = state.withLock { Self.remove(ObjectIdentifier(channel), from: &$0) }
    }

    func closed(_ channel: any Channel) { authenticated(channel) }

    private func isWaiting(_ id: ObjectIdentifier) -> Bool { state.withLock { $0.waiting[id] != nil } }

    private static func remove(_ id: ObjectIdentifier, from s: inout State) -> (any Channel)? {
        guard let w = s.waiting.removeValue(forKey: id) else { return nil }
        s.byAddress[w.address]?.remove(id)
        if s.byAddress[w.address]?.isEmpty == true { s.byAddress[w.address] = nil }
        return w.channel
    }

    /// The pipeline's part: tells the gate when a connection opens and closes.
    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = Never
        let gate: ConnectionGate

        init(_ gate: ConnectionGate) { self.gate = gate }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { gate.opened(context.channel) }
        }

        func channelActive(context: ChannelHandlerContext) {
            gate.opened(context.channel)
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            gate.closed(context.channel)
            context.fireChannelInactive()
        }
    }
}
