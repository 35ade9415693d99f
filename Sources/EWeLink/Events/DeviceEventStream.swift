import EWeLinkCloud
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// One stream of device events from the LAN (announcements and replies to our commands) and the
/// cloud (`update` pushes and `sysmsg`), in order per device and without duplicates: a revision
/// (`seq`) is reported once whichever way it arrived, an older revision never after a newer one
/// (except a reboot's fresh start), and a cloud push that changes nothing already reported is
/// dropped.
public final class DeviceEventStream: Sendable {
    /// The events, in order per device; finished by `stop`.
    public let events: AsyncStream<DeviceEvent>
    private let sink: AsyncStream<DeviceEvent>.Continuation
    private let known = Mutex<[String: Known]>([:])
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let discovery: LANDiscovery?
    /// The client this stream hears replies through, and its observer there (removed on `stop`).
    private let replies = Mutex<(client: ZeroconfClient, token: UpdateObserverToken)?>(nil)
    /// Until discovery's first `.complete`: appearances are taken in silently (`Start.now`).
    private let baseline: Mutex<Bool>

    /// Where a stream starts.
    public enum Start: Sendable {
        /// With an `appeared` event for every device already on the LAN, then the changes.
        case everything
        /// With the changes only: the devices already on the LAN (those the avahi-daemon knows
        /// when the stream starts) are taken in without an event; whatever changes later,
        /// appearances included, is reported.
        case now
    }

    private struct Known {
        var seq: Int?
        var state: JSONObject = [:]
        var online: Bool?
        var present = false
        /// The last state came from a cloud push the LAN has not confirmed yet.
        var cloudAhead = false
    }

    /// Follows the LAN through `lan` (when `followLAN`) and the cloud through `socket` (if any),
    /// from `start`: by default every device already on the LAN is reported first (`appeared`).
    public init(lan: LANController, socket: CloudSocket? = nil, followLAN: Bool = true,
                start: Start = .everything) throws(ControlError) {
        (events, sink) = AsyncStream.makeStream(of: DeviceEvent.self, bufferingPolicy: .bufferingNewest(4096))
        baseline = Mutex(followLAN && start == .now)
        guard followLAN else {
            discovery = nil
            if let socket { follow(socket) }
            return
        }
        let discovery = try lan.watch(ingestReplies: false)
        self.discovery = discovery
        // Replies to commands are reported as such, then fed to discovery so the announcement of
        // the same revision is not reported again.
        let token = lan.client.onUpdate(owner: self) { [weak self, weak discovery] update in
            // A reply without the state (most firmware) says only that revision N exists: its
            // announcement (or the cloud's push) will tell what it is.
            guard let self, update.state != nil else { return }
            self.handle(DeviceEvent(deviceID: update.deviceID, source: update.source == .http ? .http : .mdns, kind: .state,
                                    params: update.state, seq: update.seq, time: Date()))
            discovery?.ingest(update)
        }
        replies.withLock { $0 = (lan.client, token) }
        let lanEvents = discovery.events
        let lanTask = Task { [weak self] in
            for await event in lanEvents {
                guard let self else { return }
                switch event {
                case .appeared(let d):
                    // The router needs the address of what is seen on the LAN.
                    if self.addressChanged(d) { lan.remember([d]) }
                    if self.baseline.withLock({ $0 }) {
                        self.takeIn(d)
                        continue
                    }
                    self.handle(DeviceEvent(deviceID: d.id, source: .mdns, kind: .appeared, params: d.state, seq: d.seq, time: d.lastSeen))
                case .changed(let d):
                    if self.addressChanged(d) { lan.remember([d]) }
                    self.handle(DeviceEvent(deviceID: d.id, source: .mdns, kind: .state, params: d.state, seq: d.seq, time: d.lastSeen))
                case .disappeared(let id):
                    self.handle(DeviceEvent(deviceID: id, source: .mdns, kind: .disappeared, params: nil, seq: nil, time: Date()))
                    // An id not in the store is forgotten once gone: made-up ids announced by a
                    // neighbour do not pile up.
                    if case .some(.none) = try? lan.directory.stored(id) { self.forget(id) }
                case .rejected(let r):
                    // Reported as it is: the claimed seq and no params (its data was not believed).
                    self.handle(DeviceEvent(deviceID: r.deviceID, source: .mdns, kind: .rejected, params: nil, seq: r.source.seq,
                                            time: r.time, detail: "\(r.source.instanceName) at \(r.source.address): \(r.reason)"))
                case .contested(let d, let rival):
                    self.handle(DeviceEvent(deviceID: d.id, source: .mdns, kind: .contested, params: nil, seq: rival.seq,
                                            time: d.lastSeen,
                                            detail: "\(rival.instanceName) at \(rival.address) also claims the id; "
                                                + "using \(d.instanceName) at \(d.host):\(d.port)"))
                case .complete:
                    // What the daemon knew when the stream started has been taken in.
                    self.baseline.withLock { $0 = false }
                case .invalid, .failed:
                    continue
                }
            }
        }
        tasks.withLock { $0.append(lanTask) }
        if let socket { follow(socket) }
    }

    private func follow(_ socket: CloudSocket) {
        let cloudEvents = socket.subscribe()
        let task = Task { [weak self] in
            for await event in cloudEvents {
                guard let self else { return }
                switch event {
                case .update(let id, let params):
                    self.handle(DeviceEvent(deviceID: id, source: .cloud, kind: .state, params: params, seq: nil, time: Date()))
                case .online(let id, let online):
                    self.handle(DeviceEvent(deviceID: id, source: .cloud, kind: online ? .online : .offline, params: nil,
                                            seq: nil, time: Date()))
                case .connected, .disconnected:
                    continue
                }
            }
        }
        tasks.withLock { $0.append(task) }
    }

    private let addresses = Mutex<[String: String]>([:])

    /// Whether `d` is at another address than last time (first sight included).
    private func addressChanged(_ d: DiscoveredDevice) -> Bool {
        let address = "\(d.host):\(d.port)"
        return addresses.withLock { $0.updateValue(address, forKey: d.id) != address }
    }

    /// Drops what is known of `id` (its next announcement is news again).
    private func forget(_ id: String) {
        known.withLock { $0[id] = nil }
        addresses.withLock { $0[id] = nil }
    }

    /// Ends the stream: stops following the LAN and the cloud, and leaves the LAN client's
    /// observers (which a released stream leaves too).
    public func stop() {
        discovery?.stop()
        for t in tasks.withLock({ $0 }) { t.cancel() }
        if let (client, token) = replies.withLock({ r in defer { r = nil }; return r }) { client.removeObserver(token) }
        sink.finish()
    }

    deinit {
        if let (client, token) = replies.withLock({ $0 }) { client.removeObserver(token) }
    }

    /// An `appeared` event for every device present on the LAN now, with the state known of it
    /// (what a new consumer starting from the devices already seen begins with).
    package func presentDevices() -> [DeviceEvent] {
        known.withLock { all in
            all.filter { $0.value.present }.sorted { $0.key < $1.key }.map { id, k in
                DeviceEvent(deviceID: id, source: .mdns, kind: .appeared, params: k.state.isEmpty ? nil : k.state, seq: k.seq,
                            time: Date())
            }
        }
    }

    /// A device already on the LAN when a `Start.now` stream started: known from here on (its
    /// revision, state and presence), not reported.
    private func takeIn(_ d: DiscoveredDevice) {
        known.withLock { all in
            var k = all[d.id] ?? Known()
            guard !k.present else { return }
            k.present = true
            k.seq = d.seq
            if let state = d.state { k.state = state }
            all[d.id] = k
        }
    }

    /// Decides under one lock (so per-device order is the order of decisions) and emits.
    func handle(_ event: DeviceEvent) {
        known.withLock { all in
            var k = all[event.deviceID] ?? Known()
            defer { all[event.deviceID] = k }
            switch event.kind {
            case .appeared where !k.present, .state:
                if let seq = event.seq {
                    // A revision already reported, or an older one (a reboot starts again at 1).
                    if let last = k.seq, seq == last || (seq < last && seq > 1) { return }
                    k.seq = seq
                    // The LAN confirming what the cloud already reported is not news.
                    if k.cloudAhead, event.kind == .state, let p = event.params, k.state.applying(p) == k.state {
                        k.cloudAhead = false
                        return
                    }
                    k.cloudAhead = false
                } else {
                    // A cloud push: only news.
                    guard let p = event.params, k.state.applying(p) != k.state else { return }
                    k.cloudAhead = true
                }
                if let p = event.params { k.state = event.seq != nil ? p : k.state.applying(p) }
                if event.kind == .appeared || event.source != .cloud { k.present = true }
                sink.yield(event)
            case .appeared:
                // Seen again (a new address or revision after a gap): report it as a state.
                guard let seq = event.seq, seq != k.seq, !(seq < (k.seq ?? 0) && seq > 1) else { return }
                k.seq = seq
                if let p = event.params { k.state = p }
                var state = event
                state.kind = .state
                sink.yield(state)
            case .disappeared:
                guard k.present else { return }
                k.present = false
                sink.yield(event)
            case .online, .offline:
                let online = event.kind == .online
                guard k.online != online else { return }
                k.online = online
                sink.yield(event)
            case .rejected, .contested:
                // Discovery reports each once per service and revision; they change nothing known.
                sink.yield(event)
            }
        }
    }
}
