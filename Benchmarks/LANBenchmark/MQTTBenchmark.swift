import EWeLink
import EWeLinkHub
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The hub's MQTT bridge (`ewelink serve --mqtt`, issue 24) against a real mosquitto broker on
/// loopback: `/set` published → device switched → new state received, beside the same command
/// through the hub's HTTP API; with 200 simulated devices, the time until every discovery config
/// is on the broker, and the hub's RSS and CPU idle and under 100 changes a second.
enum MQTTBenchmark {
    static let heading = "## The MQTT bridge (`ewelink serve --mqtt`)"

    /// What the subscriber (Home Assistant's stand-in) has received.
    final class Inbox: Sendable {
        struct State {
            var configTopics: Set<String> = []
            var configDevices: Set<String> = []
            var lastConfig: ContinuousClock.Instant?
            /// When the last device got its first config.
            var everyDevice: ContinuousClock.Instant?
            var deviceCount = 0
            var online: ContinuousClock.Instant?
            var responses = 0
            var okResponses = 0
            /// A state the latency loop waits for: topic, `state` value, and who to wake.
            var waiting: (topic: String, value: String, wake: CheckedContinuation<Void, Never>)?
        }
        let state = Mutex(State())

        func take(_ m: MQTTConnection.Message, at now: ContinuousClock.Instant) {
            let parts = m.topic.split(separator: "/")
            let wake = state.withLock { s -> CheckedContinuation<Void, Never>? in
                if parts.first == "homeassistant", parts.count == 5, !m.payload.isEmpty {
                    if s.configTopics.insert(m.topic).inserted { s.lastConfig = now }
                    if s.configDevices.insert(String(parts[2])).inserted, s.configDevices.count == s.deviceCount { s.everyDevice = now }
                } else if m.topic == "ewelink/bridge/state", m.text == "online" {
                    s.online = s.online ?? now
                } else if m.topic == "ewelink/bridge/response" {
                    s.responses += 1
                    if m.text.contains(#""ok":true"#) { s.okResponses += 1 }
                } else if let w = s.waiting, w.topic == m.topic,
                          (try? JSONValue.parse(m.payload))?["state"]?.stringValue == w.value {
                    s.waiting = nil
                    return w.wake
                }
                return nil
            }
            wake?.resume()
        }
    }

    static func run(bin: String, quick: Bool) async throws -> HubBenchmark.Run {
        var rows: [Row] = [], notes: [String] = []
        let count = 200
        let home = "/tmp/ewbm-\(getpid())"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }

        // The broker: Debian's mosquitto on a free port of 127.0.0.1, anonymous, no persistence.
        let port = LoopbackHTTPServer.freePort()
        let user = String(cString: getpwuid(geteuid()).pointee.pw_name)
        try "listener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\nuser \(user)\n"
            .write(toFile: home + "/mosquitto.conf", atomically: true, encoding: .utf8)
        let broker = childProcess("/usr/sbin/mosquitto", ["-c", home + "/mosquitto.conf"], env: [:])
        broker.standardOutput = FileHandle.nullDevice
        try broker.run()
        defer { kill(broker.processIdentifier, SIGKILL); broker.waitUntilExit() }
        try await Task.sleep(for: .milliseconds(300))

        print("mqtt: starting ewelink-sim with \(count) devices…")
        let sim = try SimulatorProcess(bin: bin, devices: count)
        defer { sim.stop() }
        let devices = sim.devices
        try DeviceStore(directory: home).update { list in
            list = devices.map { StoredDevice(id: $0.id, name: "bench-\($0.id)", devicekey: $0.key, type: DeviceType(rawValue: $0.type),
                                              host: "127.0.0.1", port: $0.port, addressVerified: true) }
        }

        // Home Assistant's stand-in, subscribed before the hub starts.
        let inbox = Inbox()
        inbox.state.withLock { $0.deviceCount = count }
        var config = MQTTConnection.Configuration(host: "127.0.0.1", port: port, clientID: "bench-\(getpid())")
        config.incomingBuffer = 100_000
        let client = try MQTTConnection(config)
        let reader = Task {
            for await event in client.events {
                switch event {
                case .connected:
                    client.subscribe("homeassistant/#")
                    client.subscribe("ewelink/#")
                case .message(let m): inbox.take(m, at: .now)
                default: break
                }
            }
        }
        defer { client.stop(); reader.cancel() }
        try client.start()
        let connectDeadline = ContinuousClock.now + .seconds(10)
        while !client.isConnected {
            guard ContinuousClock.now < connectDeadline else { throw BenchError("no broker on port \(port)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(200))

        // 1. Start: the hub, until every device's configs are on the broker.
        let socket = home + "/hub.sock"
        let started = ContinuousClock.now
        let hub = childProcess(bin + "/ewelink-hub", ["--no-cloud", "--mqtt", "mqtt://127.0.0.1:\(port)"], env: ["EWELINK_HOME": home])
        hub.standardOutput = FileHandle.nullDevice
        try hub.run()
        defer { hub.terminate(); hub.waitUntilExit() }
        // Every entity: a switch per channel (a strip has 4) and the signal strength of each.
        let expected = devices.reduce(0) { $0 + ($1.type == "strip" ? 5 : 2) }
        let deadline = ContinuousClock.now + .seconds(60)
        while inbox.state.withLock({ $0.configTopics.count }) < expected {
            guard ContinuousClock.now < deadline, hub.isRunning else {
                throw BenchError("discovery: \(inbox.state.withLock { $0.configTopics.count }) of \(expected) configs after 60 s")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let (online, lastConfig, configs, everyDevice) = inbox.state.withLock { ($0.online, $0.lastConfig, $0.configTopics.count, $0.everyDevice) }
        if let online {
            rows.append(Row(key: "mqtt_online_ms", label: "hub start → `ewelink/bridge/state online` on the broker",
                            value: Samples.ms(online - started), unit: "ms", target: nil))
        }
        if let everyDevice {
            rows.append(Row(key: "mqtt_discovery_first_ms", label: "hub start → a discovery config for each of the \(count) devices (their switches, from the store)",
                            value: Samples.ms(everyDevice - started), unit: "ms", target: nil))
        }
        rows.append(Row(key: "mqtt_discovery_ms", label: "hub start → every discovery config received (\(configs); the signal sensors once mDNS has each device's state)",
                        value: Samples.ms((lastConfig ?? started) - started), unit: "ms", target: nil))
        try await Task.sleep(for: .seconds(2))

        // 2. /set → switched → state received, alternating ON/OFF on one plug; then the same
        // command through the hub's API (a kept-alive socket connection), in the same run.
        let plug = devices.first { $0.type == "plug" }!
        let topic = "ewelink/bench-\(plug.id)"
        let runs = quick ? 50 : 300
        var viaMQTT = Samples()
        for n in 0..<(runs + 10) {
            let value = n % 2 == 0 ? "ON" : "OFF"
            let t = ContinuousClock.now
            await withCheckedContinuation { (wake: CheckedContinuation<Void, Never>) in
                inbox.state.withLock { $0.waiting = (topic, value, wake) }
                client.publish(.init(topic: topic + "/set", payload: Array(#"{"state":"\#(value)"}"#.utf8)))
                // A state that never comes ends the wait after 5 s (counted as 5 s).
                Task {
                    try? await Task.sleep(for: .seconds(5))
                    let stale = inbox.state.withLock { s -> CheckedContinuation<Void, Never>? in
                        guard let w = s.waiting, w.topic == topic, w.value == value else { return nil }
                        s.waiting = nil
                        return w.wake
                    }
                    stale?.resume()
                }
            }
            if n >= 10 { viaMQTT.add(ContinuousClock.now - t) }
        }
        rows.append(Row(key: "mqtt_set_state_p50_ms", label: "`/set` published → device switched → state received by a subscriber: p50",
                        value: viaMQTT.p50, unit: "ms", target: 5))
        rows.append(Row(key: "mqtt_set_state_p99_ms", label: "`/set` → state received: p99", value: viaMQTT.p99, unit: "ms", target: nil))
        var viaAPI = Samples()
        let conn = try HubConnection(socket)
        for n in 0..<(runs + 10) {
            let t = ContinuousClock.now
            guard try conn.post("/devices/\(plug.id)/\(n % 2 == 0 ? "on" : "off")") == 200 else { throw BenchError("hub refused") }
            if n >= 10 { viaAPI.add(ContinuousClock.now - t) }
        }
        conn.close()
        rows.append(Row(key: "mqtt_api_on_p50_ms", label: "the same command through the HTTP API (kept-alive socket), same run: p50",
                        value: viaAPI.p50, unit: "ms", target: nil))
        rows.append(Row(key: "mqtt_api_on_p99_ms", label: "the same through the HTTP API: p99", value: viaAPI.p99, unit: "ms", target: nil))

        // 3. Idle with the bridge: CPU over 10 s, RSS.
        let pid = hub.processIdentifier
        let seconds = quick ? 3.0 : 10.0
        let cpu0 = HubBenchmark.cpuSeconds(pid)
        try await Task.sleep(for: .seconds(seconds))
        rows.append(Row(key: "mqtt_idle_cpu_pct", label: "hub CPU with the bridge, nothing changing (\(count) devices)",
                        value: (HubBenchmark.cpuSeconds(pid) - cpu0) / seconds * 100, unit: "%", target: nil))
        rows.append(Row(key: "mqtt_rss_idle_mb", label: "hub RSS with the bridge, idle", value: HubBenchmark.rss(pid), unit: "MB", target: nil))

        // 4. 100 changes a second for 10 s: a `/set` to a different plug every 10 ms (each one a
        // change on the device, its state published), open loop.
        let plugs = devices.filter { $0.type == "plug" }.map(\.id)
        let before = inbox.state.withLock { $0.okResponses }
        let cpu1 = HubBenchmark.cpuSeconds(pid)
        let loadStart = ContinuousClock.now
        let total = Int(seconds) * 100
        for n in 0..<total {
            let due = loadStart + .milliseconds(10 * n)
            if due > .now { try await Task.sleep(until: due, clock: .continuous) }
            let id = plugs[n % plugs.count]
            client.publish(.init(topic: "ewelink/bench-\(id)/set", payload: Array(#"{"state":"\#((n / plugs.count) % 2 == 0 ? "ON" : "OFF")"}"#.utf8)))
        }
        let wall = Samples.ms(ContinuousClock.now - loadStart) / 1000
        rows.append(Row(key: "mqtt_load_cpu_pct", label: "hub CPU at 100 `/set` changes/s (\(total) in \(fmt(wall, 1)) s)",
                        value: (HubBenchmark.cpuSeconds(pid) - cpu1) / wall * 100, unit: "%", target: nil))
        let settle = ContinuousClock.now + .seconds(10)
        while inbox.state.withLock({ $0.okResponses }) - before < total && ContinuousClock.now < settle {
            try await Task.sleep(for: .milliseconds(20))
        }
        rows.append(Row(key: "mqtt_load_ok", label: "commands of the load answered ok (of \(total))",
                        value: Double(inbox.state.withLock { $0.okResponses } - before), unit: "", target: nil))
        rows.append(Row(key: "mqtt_rss_mb", label: "hub RSS after the load", value: HubBenchmark.rss(pid), unit: "MB", target: nil))
        notes.append("Broker: Debian's mosquitto \(brokerVersion()) on 127.0.0.1, anonymous, no persistence, `set_tcp_nodelay true`. The subscriber and publisher is "
            + "libmosquitto through the hub's own `MQTTConnection` (QoS 1), in this process. A `/set` sample ends when the retained "
            + "state with the new value arrives; the bridge publishes it from the device's LAN reply.")
        return HubBenchmark.Run(rows: rows, notes: notes)
    }

    static func brokerVersion() -> String {
        let p = childProcess("/usr/bin/dpkg-query", ["-W", "-f", "${Version}", "mosquitto"], env: [:])
        let pipe = Pipe()
        p.standardOutput = pipe
        try? p.run()
        p.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}
