import EWeLink
import EWeLinkLAN
import Foundation
import Logging
import Synchronization

/// The hub's MQTT side (`ewelink serve --mqtt`): every stored device's state, availability and
/// Home Assistant discovery configs on the broker, and commands from `<prefix>/<device>/set`
/// through the hub's router (LAN first, cloud fallback), answered on `<prefix>/bridge/response`.
///
/// State comes from the hub client's event stream (announcements, command replies, cloud pushes)
/// and from the results of the bridge's own commands. On every (re)connection the bridge
/// subscribes again and re-publishes `online`, every config, availability and state, since a
/// restarted broker may have lost its retained messages; while disconnected it publishes nothing
/// (no queue to flood the broker with later).
final class MQTTBridge: Sendable {
    let hub: Hub
    let options: MQTTOptions
    let topics: MQTTTopics
    let connection: MQTTConnection
    let logger: Logger

    struct Published: Sendable {
        var segment: String
        var configTopics: [String]
    }

    struct Model: Sendable {
        var views: [String: MQTTDeviceView] = [:]
        /// id → topic segment, and back, for the stored devices.
        var segments: [String: String] = [:]
        var devicesBySegment: [String: String] = [:]
        /// What is on the broker for each device (to remove it when the device leaves the store).
        var published: [String: Published] = [:]
        var availability: [String: Bool] = [:]
        /// Commands started and not yet answered.
        var commandsInFlight = 0
    }

    let model = Mutex(Model())
    /// Set by `stop`: the session's end is then no loss to report.
    private let stopping = Atomic<Bool>(false)

    init(hub: Hub, options: MQTTOptions, logger: Logger) throws(MQTTConnection.SetupError) {
        self.hub = hub
        self.options = options
        self.logger = logger
        topics = MQTTTopics(prefix: options.prefix, discoveryPrefix: options.discoveryPrefix)
        var c = MQTTConnection.Configuration(host: options.host, port: options.port,
                                             clientID: "ewelink-hub-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        c.username = options.username
        c.password = options.password
        c.tls = options.tls
        c.caFile = options.caFile
        c.will = .init(topic: topics.bridgeState, payload: Array("offline".utf8), qos: 1, retain: true)
        connection = try MQTTConnection(c)
    }

    /// Runs until `stop`: connects (and reconnects), follows the hub's events, handles commands,
    /// and notices devices added to or removed from the store.
    func run() async {
        let events: AsyncStream<DeviceEvent>
        do { events = try hub.client.events(from: .knownDevices) } catch {
            logger.error("mqtt: no device events: \(error)")
            return
        }
        hub.metrics.record(mqttConnected: false)
        do { try connection.start() } catch {
            logger.error("mqtt: \(error)")
            return
        }
        logger.notice("mqtt: connecting to \(options.tls ? "mqtts" : "mqtt")://\(options.host):\(options.port)")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.followConnection() }
            group.addTask {
                for await event in events { self.handle(event) }
            }
            group.addTask {
                // The store is another process's file too (`ewelink devices add/remove`).
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(2))
                    self.reconcile()
                }
            }
            // The connection's events end at `stop`: then everything else ends too.
            await group.next()
            group.cancelAll()
        }
    }

    /// Says `offline` (retained) and disconnects.
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        connection.stop(farewell: .init(topic: topics.bridgeState, payload: Array("offline".utf8), qos: 1, retain: true))
    }

    private func followConnection() async {
        for await event in connection.events {
            switch event {
            case .connected:
                hub.metrics.record(mqttConnected: true)
                logger.notice("mqtt: connected to \(options.host):\(options.port)")
                connection.subscribe(topics.setFilter)
                if options.discovery { connection.subscribe(topics.homeAssistantStatus) }
                publishEverything()
            case .refused(let why):
                hub.metrics.record(mqttConnected: false)
                logger.warning("mqtt: the broker refused the connection: \(why)")
            case .disconnected(let why):
                hub.metrics.record(mqttConnected: false)
                if stopping.load(ordering: .sequentiallyConsistent) {
                    logger.info("mqtt: disconnected")
                } else {
                    hub.metrics.recordMQTTReconnect()
                    logger.warning("mqtt: disconnected (\(why)); reconnecting")
                }
            case .problem(let text):
                logger.warning("mqtt: \(text)")
            case .message(let message):
                hub.metrics.record(mqttMessage: "in")
                receive(message)
            }
        }
    }

    private func receive(_ message: MQTTConnection.Message) {
        if message.topic == topics.homeAssistantStatus {
            // Home Assistant's birth message: it (re)started and wants the configs again.
            if message.text == "online" {
                logger.info("mqtt: Home Assistant is online: publishing discovery again")
                publishEverything()
            }
            return
        }
        guard let segment = topics.segment(ofSet: message.topic) else { return }
        // An empty message is how a retained one is cleared, not a command.
        guard !message.payload.isEmpty else { return }
        command(segment: segment, message)
    }

    // MARK: Publishing

    func publish(_ topic: String, _ payload: [UInt8], retain: Bool) {
        if connection.publish(.init(topic: topic, payload: payload, qos: 1, retain: retain)) {
            hub.metrics.record(mqttMessage: "out")
        }
    }

    func publish(_ topic: String, json: JSONObject, retain: Bool) {
        publish(topic, JSONValue.object(json).serializedBytes, retain: retain)
    }

    /// The stored devices, with their segments brought up to date.
    private func storedDevices() -> [StoredDevice] {
        let devices = (try? hub.lan.directory.devices()) ?? []
        let segments = MQTTTopics.segments(devices, naming: options.topicNaming)
        model.withLock { m in
            m.segments = segments
            m.devicesBySegment = Dictionary(segments.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        }
        return devices
    }

    /// `online`, then every stored device's configs, availability and state.
    private func publishEverything() {
        publish(topics.bridgeState, Array("online".utf8), retain: true)
        let devices = storedDevices()
        for device in devices { publishDevice(device, configs: true) }
        removeGone(keeping: Set(devices.map(\.id)))
    }

    /// One device's configs (when asked, or when what it has changed), availability and state.
    private func publishDevice(_ device: StoredDevice, configs: Bool) {
        let (segment, view, before) = model.withLock { m in (m.segments[device.id] ?? device.id, m.views[device.id], m.published[device.id]) }
        if let before, before.segment != segment { clear(deviceID: device.id, before, configsToo: false) }
        if options.discovery {
            let entities = MQTTDiscovery.entities(device, view: view, segment: segment, topics: topics)
            let configTopics = entities.map { topics.config(component: $0.component, deviceID: device.id, object: $0.object) }
            if configs || before?.configTopics != configTopics || before?.segment != segment {
                for (entity, topic) in zip(entities, configTopics) { publish(topic, json: entity.config, retain: true) }
                for stale in (before?.configTopics ?? []) where !configTopics.contains(stale) { publish(stale, [], retain: true) }
            }
            model.withLock { $0.published[device.id] = Published(segment: segment, configTopics: configTopics) }
        } else {
            model.withLock { $0.published[device.id] = Published(segment: segment, configTopics: []) }
        }
        let online = view?.online ?? false
        model.withLock { $0.availability[device.id] = online }
        publish(topics.availability(segment), Array((online ? "online" : "offline").utf8), retain: true)
        if let json = view?.json { publish(topics.state(segment), json: json, retain: true) }
    }

    /// Empties what the broker retains for a device no longer stored (or under an old segment).
    private func clear(deviceID: String, _ published: Published, configsToo: Bool) {
        if configsToo { for topic in published.configTopics { publish(topic, [], retain: true) } }
        publish(topics.state(published.segment), [], retain: true)
        publish(topics.availability(published.segment), [], retain: true)
    }

    private func removeGone(keeping ids: Set<String>) {
        let gone = model.withLock { m -> [(String, Published)] in
            let gone = m.published.filter { !ids.contains($0.key) }
            for id in gone.keys {
                m.published[id] = nil
                m.views[id] = nil
                m.availability[id] = nil
            }
            return gone.map { ($0.key, $0.value) }
        }
        for (id, published) in gone {
            logger.info("mqtt: \(id) left the store: its configs and topics removed")
            clear(deviceID: id, published, configsToo: true)
        }
    }

    /// Devices added to the store get their topics, removed ones lose them, renamed ones move.
    func reconcile() {
        guard connection.isConnected else { return }
        let devices = storedDevices()
        let (published, segments) = model.withLock { ($0.published, $0.segments) }
        for device in devices where published[device.id] == nil || published[device.id]?.segment != segments[device.id] {
            publishDevice(device, configs: true)
        }
        removeGone(keeping: Set(devices.map(\.id)))
    }

    // MARK: Events

    private func handle(_ event: DeviceEvent) {
        guard event.kind != .rejected, event.kind != .contested else { return }
        // Only stored devices: an id anyone can announce must not create topics.
        guard let stored = (try? hub.lan.directory.stored(event.deviceID)) ?? nil else { return }
        update(stored) { $0.apply(event) }
    }

    /// Changes what the bridge knows of a stored device, then publishes what changed.
    func update(_ stored: StoredDevice, _ change: (inout MQTTDeviceView) -> Void) {
        let view = model.withLock { m -> MQTTDeviceView in
            var v = m.views[stored.id] ?? MQTTDeviceView(type: stored.type)
            change(&v)
            m.views[stored.id] = v
            return v
        }
        changed(stored, view)
    }

    /// Publishes a device's state, and its availability when that changed (its configs too when
    /// its kind became known).
    func changed(_ stored: StoredDevice, _ view: MQTTDeviceView) {
        guard connection.isConnected else { return }
        let (segment, published, wasOnline) = model.withLock { m in (m.segments[stored.id], m.published[stored.id], m.availability[stored.id]) }
        guard let segment, published != nil else {
            // Not published yet (added to the store since the last look): everything of it at once.
            _ = storedDevices()
            publishDevice(stored, configs: true)
            return
        }
        if options.discovery, published?.configTopics.isEmpty == false || view.type != nil {
            let entities = MQTTDiscovery.entities(stored, view: view, segment: segment, topics: topics)
            if entities.map({ topics.config(component: $0.component, deviceID: stored.id, object: $0.object) }) != published?.configTopics {
                publishDevice(stored, configs: true)
                return
            }
        }
        if wasOnline != view.online {
            model.withLock { $0.availability[stored.id] = view.online }
            publish(topics.availability(segment), Array((view.online ? "online" : "offline").utf8), retain: true)
        }
        if let json = view.json { publish(topics.state(segment), json: json, retain: true) }
    }
}
