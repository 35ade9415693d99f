import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
        subscribers.add(sink) { start == .knownDevices ? (source?.presentDevices() ?? []).map(self.named) : [] }
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
        var finished = false
    }

    private let state = Mutex(State())
    /// Each device's whole state so far (its own lock: a replay is made under `state`'s).
    private let states = Mutex<[String: JSONObject]>([:])

    /// Adds a consumer, which first gets `replay()`'s events: made and yielded under the lock that
    /// `publish` takes, so no live event comes before them or is lost between them and the first
    /// live one.
    func add(_ sink: AsyncStream<DeviceEvent>.Continuation, replay: () -> [DeviceEvent]) {
        let id = UUID()
        let finished = state.withLock { s -> Bool in
            guard !s.finished else { return true }
            for event in replay() { sink.yield(event) }
            s.sinks[id] = sink
            return false
        }
        if finished {
            sink.finish()
            return
        }
        sink.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.sinks.removeValue(forKey: id) } }
    }

    /// Gives `event` to every consumer (under the lock, so a consumer being added sees it after
    /// its replay or not at all).
    func publish(_ event: DeviceEvent) {
        state.withLock { s in
            for sink in s.sinks.values { sink.yield(event) }
        }
    }

    /// Merges `params` into the device's state (or replaces it with a full state from the LAN).
    func merge(_ params: JSONObject, into deviceID: String, replacing: Bool) -> JSONObject {
        states.withLock { all in
            let merged = replacing ? params : (all[deviceID] ?? [:]).applying(params)
            all[deviceID] = merged
            return merged
        }
    }

    func finish() {
        let sinks = state.withLock { s -> [AsyncStream<DeviceEvent>.Continuation] in
            s.finished = true
            defer { s.sinks = [:] }
            return Array(s.sinks.values)
        }
        for sink in sinks { sink.finish() }
    }
}
