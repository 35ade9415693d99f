import EWeLink
import EWeLinkLAN
import Prometheus
import Synchronization

/// What `/metrics` shows, in Prometheus' text format: per device its switches, readings, RSSI and
/// whether the LAN and the cloud see it; per route the commands, their latencies and outcomes;
/// fallbacks and cloud reconnects.
final class HubMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let reconnectsSeen = Mutex(0)
    /// Every per-device series, by metric name and labels, with the device and name it is for:
    /// dropped when the device leaves the store or is renamed.
    private let deviceSeries = Mutex<[String: (device: String, name: String, gauge: Gauge)]>([:])
    private static let switchHelp = "Switch state per channel: 1 on, 0 off."
    private static let onlineHelp = "Whether the device is seen on the LAN (path=lan) or online in the cloud (path=cloud)."

    /// Readings of the state, by state key: metric name, help.
    private static let readings: [(key: String, name: String, help: String)] = [
        ("power", "ewelink_power_watts", "Active power of a metering plug, W."),
        ("voltage", "ewelink_voltage_volts", "Mains voltage at a metering plug, V."),
        ("current", "ewelink_current_amperes", "Current through a metering plug, A."),
        ("currentTemperature", "ewelink_temperature_celsius", "Temperature at a sensor, °C."),
        ("currentHumidity", "ewelink_humidity_percent", "Relative humidity at a sensor, %."),
        ("rssi", "ewelink_rssi_dbm", "Wi-Fi signal strength the device reports, dBm."),
    ]

    private static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10),
    ]

    /// A stored device's state as gauges: each switch (by channel), each reading present.
    func record(state: JSONObject, deviceID: String, name: String) {
        if let value = state["switch"]?.stringValue {
            deviceGauge("ewelink_switch", deviceID, name, [("channel", "0")], help: Self.switchHelp).set(to: value == "on" ? 1 : 0)
        }
        for entry in state["switches"]?.arrayValue ?? [] {
            guard let outlet = entry["outlet"]?.intValue, let value = entry["switch"]?.stringValue else { continue }
            deviceGauge("ewelink_switch", deviceID, name, [("channel", String(outlet))], help: Self.switchHelp)
                .set(to: value == "on" ? 1 : 0)
        }
        for reading in Self.readings {
            guard let value = Self.number(state[reading.key]) else { continue }
            deviceGauge(reading.name, deviceID, name, [], help: reading.help).set(to: value)
        }
    }

    /// Whether `path` (lan or cloud) sees the stored device.
    func record(online: Bool, path: String, deviceID: String, name: String) {
        deviceGauge("ewelink_online", deviceID, name, [("path", path)], help: Self.onlineHelp).set(to: online ? 1 : 0)
    }

    /// Series for exactly the stored devices (id → name): those of devices no longer stored, or
    /// stored under another name, are dropped; a device without any gets `ewelink_online{path="lan"}`
    /// (0 until it is seen or answers), so every stored device shows.
    func keep(devices names: [String: String]) {
        let (gone, bare) = deviceSeries.withLock { all -> ([Gauge], [String]) in
            let stale = all.filter { names[$0.value.device] != $0.value.name }
            for key in stale.keys { all[key] = nil }
            let covered = Set(all.values.map(\.device))
            return (stale.values.map(\.gauge), names.keys.filter { !covered.contains($0) })
        }
        for gauge in gone { registry.unregisterGauge(gauge) }
        for id in bare { record(online: false, path: "lan", deviceID: id, name: names[id] ?? id) }
    }

    /// One command the hub carried out: its route (or `none` when it failed before any route
    /// answered), whether it succeeded, how long it took, and whether the cloud stood in for the LAN.
    func record(command route: String, ok: Bool, elapsed: Duration, fallback: Bool) {
        counter(name: "ewelink_commands_total", labels: [("route", route), ("outcome", ok ? "ok" : "error")],
                             help: "Commands carried out by the hub, by route and outcome.").increment()
        histogram(name: "ewelink_command_duration_seconds", labels: [("route", route)],
                                       buckets: Self.latencyBuckets,
                                       help: "Time from request to the device's answer, by route.").record(elapsed)
        if fallback {
            counter(name: "ewelink_fallbacks_total", labels: [],
                                 help: "Commands the LAN could not carry that went through the cloud.").increment()
        }
    }

    /// An event the hub passed on, by source.
    func record(eventFrom source: String) {
        counter(name: "ewelink_events_total", labels: [("source", source)],
                             help: "Device events seen by the hub, by source (mdns, http, cloud).").increment()
    }

    /// Whether the MQTT bridge's broker session is up.
    func record(mqttConnected: Bool) {
        gauge(name: "ewelink_mqtt_connected", labels: [], help: "Whether the MQTT bridge is connected to its broker.")
            .set(to: mqttConnected ? 1 : 0)
    }

    /// A broker session of the MQTT bridge that ended (libmosquitto reconnects).
    func recordMQTTReconnect() {
        counter(name: "ewelink_mqtt_disconnects_total", labels: [],
                help: "Times the MQTT bridge lost its broker session (it reconnects with a capped backoff).").increment()
    }

    /// An MQTT message the bridge received (`in`) or published (`out`).
    func record(mqttMessage direction: String) {
        counter(name: "ewelink_mqtt_messages_total", labels: [("direction", direction)],
                help: "MQTT messages received (in) and published (out) by the bridge.").increment()
    }

    /// A `/set` command by the route that carried it (`lan`, `websocket`, `rest`), `none` when it
    /// failed, `refused` when the payload was refused before anything was sent.
    func record(mqttCommand route: String) {
        counter(name: "ewelink_mqtt_commands_total", labels: [("route", route)],
                help: "MQTT /set commands by the route that carried them (none: failed; refused: bad payload or busy).").increment()
    }

    /// The text of `/metrics`, with the gauges that are read only when asked for.
    func exposition(cloudConnected: Bool?, cloudConnections: Int, sseClients: Int, uptime: Duration,
                    inFlight: Int) -> [UInt8] {
        if let cloudConnected {
            gauge(name: "ewelink_cloud_connected", labels: [],
                               help: "Whether the hub's cloud WebSocket session is up.").set(to: cloudConnected ? 1 : 0)
            // Every connection after the first one is a reconnect.
            let reconnects = max(0, cloudConnections - 1)
            let delta = reconnectsSeen.withLock { seen -> Int in
                defer { seen = max(seen, reconnects) }
                return max(0, reconnects - seen)
            }
            counter(name: "ewelink_cloud_reconnects_total", labels: [],
                                 help: "Times the cloud WebSocket session was opened again after the first.")
                .increment(by: Int64(delta))
        }
        gauge(name: "ewelink_hub_event_clients", labels: [], help: "Clients following /events.")
            .set(to: Double(sseClients))
        gauge(name: "ewelink_hub_commands_in_flight", labels: [], help: "Commands being carried out now.")
            .set(to: Double(inFlight))
        gauge(name: "ewelink_hub_uptime_seconds", labels: [], help: "Seconds since the hub started.")
            .set(to: uptime.inSeconds)
        return registry.emitToBuffer()
    }

    private func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The gauge `metric` of one device, labelled with its id and name, remembered for `keep`.
    private func deviceGauge(_ metric: String, _ deviceID: String, _ name: String, _ extra: [(String, String)],
                             help: String) -> Gauge {
        let labels = [("device", deviceID), ("name", name)] + extra
        let g = gauge(name: metric, labels: labels, help: help)
        let key = ([metric] + labels.map { "\($0.0)=\($0.1)" }).joined(separator: "\u{0}")
        deviceSeries.withLock { $0[key] = (deviceID, name, g) }
        return g
    }

    private func gauge(name: String, labels: [(String, String)], help: String) -> Gauge {
        registry.makeGauge(descriptor: descriptor(name, help), labels: labels)
    }

    private func counter(name: String, labels: [(String, String)], help: String) -> Counter {
        registry.makeCounter(descriptor: descriptor(name, help), labels: labels)
    }

    private func histogram(name: String, labels: [(String, String)], buckets: [Duration], help: String) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: descriptor(name, help), labels: labels, buckets: buckets)
    }

    /// Readings arrive as numbers or as strings of numbers ("230.10").
    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let i)?: return Double(i)
        case .double(let d)?: return d
        case .string(let s)?: return Double(s)
        default: return nil
        }
    }
}
