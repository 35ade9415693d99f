import EWeLinkLAN
import Foundation
import Synchronization

extension EWeLinkClient {
    /// Where a new event stream begins.
    public enum EventStart: Sendable {
        /// Only what happens from now on.
        case now
        /// First an `appeared` event for every device already seen (with its last known state),
        /// then what happens from now on.
        case knownDevices
    }

    /// Every change of every device, from whichever side saw it first (an mDNS announcement, a
    /// reply to a command, a cloud push or online/offline), once, with the device's stored name
    /// and its typed state. Each call is a stream of its own: several consumers each get every
    /// event. The stream ends at ``shutdown()``; a consumer that stops iterating leaves.
    ///
    /// The first subscription starts the mDNS browser and, when logged in, the cloud WebSocket
    /// session (``run()`` does the same).
    ///
    /// - Throws: `ControlError` when the mDNS browser cannot start (no avahi-daemon).
    public func events(from start: EventStart = .now) throws(ControlError) -> AsyncStream<DeviceEvent> {
        let (stream, sink) = AsyncStream.makeStream(of: DeviceEvent.self, bufferingPolicy: .bufferingNewest(4096))
        // The first consumer starts the source: from now (the devices already on the LAN are taken
        // in silently), unless it asked for the devices already seen, which it then gets as they resolve.
        let source = try startEvents(start == .now ? .now : .everything)
        let replay = start == .knownDevices ? (source?.presentDevices() ?? []).map(named) : []
        subscribers.add(sink, replaying: replay)
        return stream
    }

    /// The event with the device's stored name and its full state so far, typed.
    func named(_ event: DeviceEvent) -> DeviceEvent {
        var e = event
        let stored = (try? lan.directory.stored(event.deviceID)) ?? nil
        e.name = stored?.name
        if let params = event.params, event.kind == .state || event.kind == .appeared {
            let merged = subscribers.merge(params, into: event.deviceID, replacing: event.source != .cloud)
            e.state = DeviceState(parameters: merged, type: stored?.type)
        }
        return e
    }
}

/// The consumers of a client's events, and the last state of each device (a cloud push carries
/// only what changed; a consumer sees the whole state).
final class EventSubscribers: Sendable {
    private struct State {
        var sinks: [UUID: AsyncStream<DeviceEvent>.Continuation] = [:]
        var states: [String: JSONObject] = [:]
        var finished = false
    }

    private let state = Mutex(State())

    func add(_ sink: AsyncStream<DeviceEvent>.Continuation, replaying: [DeviceEvent]) {
        let id = UUID()
        let finished = state.withLock { s -> Bool in
            guard !s.finished else { return true }
            s.sinks[id] = sink
            return false
        }
        if finished {
            sink.finish()
            return
        }
        for event in replaying { sink.yield(event) }
        sink.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.sinks.removeValue(forKey: id) } }
    }

    func publish(_ event: DeviceEvent) {
        let sinks = state.withLock { Array($0.sinks.values) }
        for sink in sinks { sink.yield(event) }
    }

    /// Merges `params` into the device's state (or replaces it with a full state from the LAN).
    func merge(_ params: JSONObject, into deviceID: String, replacing: Bool) -> JSONObject {
        state.withLock { s in
            let merged = replacing ? params : (s.states[deviceID] ?? [:]).applying(params)
            s.states[deviceID] = merged
            return merged
        }
    }

    var count: Int { state.withLock { $0.sinks.count } }

    func finish() {
        let sinks = state.withLock { s -> [AsyncStream<DeviceEvent>.Continuation] in
            s.finished = true
            defer { s.sinks = [:] }
            return Array(s.sinks.values)
        }
        for sink in sinks { sink.finish() }
    }
}
