import EWeLink
import EWeLinkHub
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `ewelink-hub --mqtt`: a real mosquitto broker on a free port of 127.0.0.1, the simulated
/// fleet, the hub as its own process, and `mosquitto_sub`/`mosquitto_pub` playing Home Assistant.
@Suite("ewelink serve --mqtt: the MQTT bridge", .serialized)
struct MQTTBridgeTests {
    /// The topic part of a simulated device (its name made topic-safe).
    static func segment(_ d: SimulatedDevice) -> String { d.config.name.replacingOccurrences(of: " ", with: "_") }

    /// Whether the simulated device's channel (from 0) is on.
    static func isOn(_ d: SimulatedDevice, channel: Int? = nil) -> Bool? {
        CommandShape.isOn(d.snapshot.params, channel: channel)
    }

    /// Runs `wait`; when it fails, the failure also carries the bridge's last answers and the hub's
    /// log, which say whether the command was refused, failed on the way, or never arrived.
    static func explained(_ f: HubFixture, _ spy: MQTTSpy, _ wait: () async throws -> Void) async throws {
        do {
            try await wait()
        } catch {
            let answers = spy.messages(on: "ewelink/bridge/response").suffix(3).map(\.payload)
            throw TestFailure("\(error); the bridge's last answers: \(answers); the hub's log ends: \(f.log().suffix(2000))")
        }
    }

    /// The state topic's latest JSON says `key` is `value`.
    static func stateSays(_ spy: MQTTSpy, _ d: SimulatedDevice, _ key: String, _ value: String) -> (MQTTSpy.Message) -> Bool {
        { $0.topic == "ewelink/\(segment(d))" && $0.json?[key]?.stringValue == value }
    }

    @Test("every simulated kind: discovery configs as Home Assistant requires them, /set switches the device, a press reaches the state topic, a removed device loses its configs")
    func discoveryAndCommands() async throws {
        let broker = try await MQTTBroker()
        defer { broker.close() }
        let f = try await HubFixture(DeviceCatalogue.entries.filter(\.simulated).map { ($0.type.rawValue, $0.encrypted) })
        try await f.startHub(["--mqtt", broker.url])
        let spy = try MQTTSpy(broker)
        defer { spy.close() }
        try await spy.wait("bridge online") { $0.topic == "ewelink/bridge/state" && $0.payload == "online" }

        // Every device: its availability online and its configs, each valid for Home Assistant.
        let expected: [DeviceType: [String]] = [
            .plug: ["switch/switch"], .diyPlug: ["switch/switch"],
            .strip: ["switch/switch_l1", "switch/switch_l2", "switch/switch_l3", "switch/switch_l4"],
            .switchRadar: ["switch/switch"], .multifunSwitch: ["switch/switch_l1", "switch/switch_l2"],
            .enhancedPlug: ["switch/switch", "sensor/power", "sensor/voltage", "sensor/current"],
            .thPlug: ["switch/switch", "sensor/temperature", "sensor/humidity"],
            .fanLight: ["light/light", "fan/fan"], .light: ["light/light"],
        ]
        for d in f.sim.devices {
            // The signal strength where the device reports one (a fan light does not).
            let wanted = (expected[d.config.type] ?? []) + (d.snapshot.params["rssi"] != nil ? ["sensor/rssi"] : [])
            #expect(expected[d.config.type] != nil, "a simulated kind without expectations: \(d.config.type)")
            try await eventually(timeout: .seconds(30), "configs of \(d.config.type)") {
                wanted.allSatisfy { entity in
                    let parts = entity.split(separator: "/")
                    return spy.last("homeassistant/\(parts[0])/\(d.id)/\(parts[1])/config")?.payload.isEmpty == false
                }
            }
            try await spy.wait("\(d.config.name) online") { $0.topic == "ewelink/\(Self.segment(d))/availability" && $0.payload == "online" }
            let configs = spy.messages.filter { $0.topic.hasPrefix("homeassistant/") && $0.topic.contains("/\(d.id)/") }
            #expect(Set(configs.map(\.topic)).count == wanted.count, "\(d.config.type): \(Set(configs.map(\.topic)).sorted())")
            for config in configs {
                let object = try #require(config.json?.objectValue, "\(config.topic): \(config.payload)")
                #expect(HomeAssistantSchema.problems(topic: config.topic, config: object) == [], "\(config.payload)")
                #expect(object["device"]?["identifiers"]?.arrayValue?.first?.stringValue == "ewelink_\(d.id)")
                #expect(object["device"]?["name"]?.stringValue == d.config.name)
                #expect(object["availability_mode"] == "all")
                #expect(object["availability"]?.arrayValue?.compactMap { $0["topic"]?.stringValue }
                    == ["ewelink/bridge/state", "ewelink/\(Self.segment(d))/availability"])
            }
        }
        // The light's brightness, where the catalogue gives it one.
        let dimmer = try #require(f.sim.devices.first { $0.config.type == .light })
        let light = try #require(spy.last("homeassistant/light/\(dimmer.id)/light/config")?.json)
        #expect(light["brightness"] == true && light["brightness_scale"] == 100)

        // /set switches each device (and each channel of a strip, from l1), seen on the device and
        // on the state topic.
        for d in f.sim.devices {
            let channels = d.config.type == .strip ? [0, 3] : d.config.type == .fanLight ? [1] : [Int]()
            for value in ["ON", "OFF"] {
                try await spy.publish("ewelink/\(Self.segment(d))/set", #"{"state":"\#(value)"}"#)
                try await Self.explained(f, spy) {
                    try await eventually(timeout: .seconds(20), "\(d.config.type) \(value) on the device") { Self.isOn(d) == (value == "ON") }
                }
                try await spy.wait("\(d.config.type) state \(value)", where: Self.stateSays(spy, d, "state", value))
                for c in channels {
                    let key = "state_l\(c + 1)", flipped = value == "ON" ? "OFF" : "ON"
                    try await spy.publish("ewelink/\(Self.segment(d))/set", #"{"\#(key)":"\#(flipped)"}"#)
                    try await Self.explained(f, spy) {
                        try await eventually(timeout: .seconds(20), "\(d.config.type) \(key) on the device") {
                            Self.isOn(d, channel: c) == (value != "ON")
                        }
                    }
                    try await spy.wait("\(d.config.type) \(key)", where: Self.stateSays(spy, d, key, flipped))
                }
            }
        }
        let ok = spy.messages(on: "ewelink/bridge/response").filter { $0.json?["ok"] == true }
        #expect(ok.count >= f.sim.devices.count * 2, "\(ok.count) successful responses")
        #expect(ok.allSatisfy { $0.json?["route"] == "lan" })

        // Brightness on the dimmer.
        try await spy.publish("ewelink/\(Self.segment(dimmer))/set", #"{"state":"ON","brightness":37,"transaction":"t-1"}"#)
        try await eventually(timeout: .seconds(20), "brightness 37") { dimmer.snapshot.params["brightness"]?.intValue == 37 }
        try await spy.wait("brightness on the state topic", where: { $0.topic == "ewelink/\(Self.segment(dimmer))" && $0.json?["brightness"] == 37 })
        try await spy.wait("the transaction echoed") { $0.topic == "ewelink/bridge/response" && $0.json?["transaction"] == "t-1" && $0.json?["ok"] == true }

        // A press on the device itself (its button) arrives on the state topic.
        let plug = try #require(f.sim.devices.first { $0.config.type == .plug })
        let was = Self.isOn(plug) == true
        _ = plug.press()
        try await spy.wait("the press on the state topic", where: Self.stateSays(spy, plug, "state", was ? "OFF" : "ON"))

        // Metrics: the broker session and the commands by route.
        #expect(f.metric("ewelink_mqtt_connected").first?.value == 1)
        #expect((f.metric("ewelink_mqtt_commands_total").first { $0.labels.contains(#"route="lan""#) }?.value ?? 0) >= Double(ok.count))
        #expect((f.metric("ewelink_mqtt_messages_total").first { $0.labels.contains(#"direction="in""#) }?.value ?? 0) >= Double(ok.count))

        // A device removed from the store: its configs emptied (retained), so Home Assistant drops it.
        let removed = try await CommandRunner.run("ewelink", ["devices", "remove", plug.id], environment: f.env)
        #expect(removed.status == 0, "\(removed.stderr)")
        try await spy.wait("the removed device's config emptied") { $0.topic == "homeassistant/switch/\(plug.id)/switch/config" && $0.payload.isEmpty }
        // A retained-message check from a fresh subscriber: nothing of it is left on the broker.
        let late = try MQTTSpy(broker)
        defer { late.close() }
        try await late.wait("the late subscriber's retained state") { $0.topic == "ewelink/bridge/state" }
        try await Task.sleep(for: .milliseconds(500))
        #expect(late.messages.filter { $0.topic.contains(plug.id) || $0.topic.hasPrefix("ewelink/\(Self.segment(plug))") } .isEmpty)
        #expect(late.messages.contains { $0.topic.contains(f.sim.devices[1].id) && $0.retained })
        await f.close()
    }

    @Test("bad input: 1 MB payload, invalid JSON, unknown keys, a channel the device lacks, unknown device, retained /set; 1,000 commands in a burst: each answered, nothing changed by the bad ones, memory bounded")
    func badInput() async throws {
        let broker = try await MQTTBroker()
        defer { broker.close() }
        let f = try await HubFixture([("plug", true), ("strip", true)])
        try await f.startHub(["--mqtt", broker.url])
        let spy = try MQTTSpy(broker)
        defer { spy.close() }
        let plug = f.sim.devices[0], strip = f.sim.devices[1]
        try await spy.wait("plug online") { $0.topic == "ewelink/\(Self.segment(plug))/availability" && $0.payload == "online" }
        let before = plug.snapshot.params, stripBefore = strip.snapshot.params
        let set = "ewelink/\(Self.segment(plug))/set"

        let big = f.home + "/big"
        _ = FileManager.default.createFile(atPath: big, contents: Data(repeating: UInt8(ascii: "{"), count: 1 << 20))
        try await spy.publish(set, file: big)
        let cases: [(payload: String, topic: String, error: String)] = [
            ("{nope", set, "not JSON"),
            ("[1,2]", set, "JSON object"),
            (#"{"state":"ON","colour":"red"}"#, set, "unknown keys colour"),
            (#"{"state":"MAYBE"}"#, set, "must be \"ON\""),
            (#"{"state_l2":"ON"}"#, set, "state_l2: this is a single-channel device: use state"),
            (#"{"state_l5":"ON"}"#, "ewelink/\(Self.segment(strip))/set", "state_l5: this device has channels state_l1 … state_l4"),
            (#"{"brightness":50}"#, set, "no brightness"),
            ("{}", set, "nothing to do"),
            (#"{"state":"ON"}"#, "ewelink/no_such_device/set", "no stored device is 'no_such_device'"),
        ]
        for c in cases { try await spy.publish(c.topic, c.payload) }
        try await eventually(timeout: .seconds(20), "an answer to each bad command") {
            spy.messages(on: "ewelink/bridge/response").count >= cases.count + 1
        }
        let answers = spy.messages(on: "ewelink/bridge/response").compactMap(\.json)
        #expect(answers.allSatisfy { $0["ok"] == false }, "\(answers)")
        #expect(answers.contains { $0["error"]?.stringValue?.contains("the payload is 1048576 bytes") == true })
        for c in cases {
            #expect(answers.contains { $0["error"]?.stringValue?.contains(c.error) == true }, "no answer saying '\(c.error)': \(answers)")
        }
        // Nothing changed on the devices.
        #expect(plug.snapshot.params["switch"] == before["switch"] && strip.snapshot.params["switches"] == stripBefore["switches"])

        // A /set someone published retained runs once, live; when the bridge subscribes again (a
        // restart, a reconnection) the broker hands it over as retained: ignored, answered, not run.
        try await spy.publish(set, #"{"state":"ON"}"#, retain: true)
        try await eventually(timeout: .seconds(20), "the live retained command ran") { Self.isOn(plug) == true }
        try await spy.publish(set, #"{"state":"OFF"}"#)
        try await eventually(timeout: .seconds(20), "off") { Self.isOn(plug) == false }
        #expect(await f.stopHub() == 0)
        spy.clear()
        try await f.startHub(["--mqtt", broker.url])
        try await spy.wait("the retained command refused") {
            $0.topic == "ewelink/bridge/response" && $0.json?["error"]?.stringValue?.contains("retained command is ignored") == true
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(Self.isOn(plug) == false, "a retained command ran late")
        try await spy.publish(set, "", retain: true)

        // 1,000 commands as fast as one client sends them: each answered (done, or refused as
        // busy), the hub alive, its memory bounded.
        let pid = try #require(f.process?.processIdentifier)
        let rssBefore = Self.rss(pid)
        spy.clear()
        let burst = (0..<1000).map { n in n % 10 == 9 ? "{bad" : #"{"state":"\#(n % 2 == 0 ? "ON" : "OFF")"}"# }
        try await spy.publish(set, lines: burst)
        try await eventually(timeout: .seconds(120), "1,000 answers") { spy.messages(on: "ewelink/bridge/response").count >= 1000 }
        let burstAnswers = spy.messages(on: "ewelink/bridge/response").compactMap(\.json)
        #expect(burstAnswers.count == 1000)
        #expect(burstAnswers.filter { $0["error"]?.stringValue?.contains("not JSON") == true }.count == 100)
        #expect(burstAnswers.filter { $0["ok"] == true }.count > 0)
        #expect(await HubWire.request(f.socketPath, "GET", "/health")?.status == 200)
        let rssAfter = Self.rss(pid)
        #expect(rssAfter - rssBefore < 64 << 20, "RSS grew from \(rssBefore >> 20) MB to \(rssAfter >> 20) MB")
        // Afterwards a command still works.
        try await spy.publish(set, #"{"state":"OFF"}"#)
        try await eventually(timeout: .seconds(20), "the plug off after the burst") { Self.isOn(plug) == false }
        await f.close()
    }

    @Test("broker restart: the bridge reconnects and publishes online, configs, availability and state again; Home Assistant's birth message brings the configs again")
    func reconnectAndBirth() async throws {
        let broker = try await MQTTBroker()
        defer { broker.close() }
        let f = try await HubFixture([("plug", true)])
        try await f.startHub(["--mqtt", broker.url])
        let plug = f.sim.devices[0]
        let config = "homeassistant/switch/\(plug.id)/switch/config"
        var spy = try MQTTSpy(broker)
        try await spy.wait("the config") { $0.topic == config && !$0.payload.isEmpty }
        try await spy.publish("ewelink/\(Self.segment(plug))/set", #"{"state":"ON"}"#)
        try await spy.wait("ON", where: Self.stateSays(spy, plug, "state", "ON"))

        // Home Assistant restarts: its birth message, and every config comes again (not retained: live).
        spy.clear()
        try await spy.publish("homeassistant/status", "online")
        try await spy.wait("the config again") { $0.topic == config && !$0.retained && !$0.payload.isEmpty }

        // The broker restarts without its retained messages: the bridge reconnects and puts them back.
        spy.close()
        broker.stop()
        try await eventually(timeout: .seconds(20), "the bridge notices") { f.metric("ewelink_mqtt_connected").first?.value == 0 }
        try await broker.start()
        spy = try MQTTSpy(broker)
        defer { spy.close() }
        try await spy.wait("online again", timeout: .seconds(60)) { $0.topic == "ewelink/bridge/state" && $0.payload == "online" }
        try await spy.wait("the config again") { $0.topic == config && !$0.payload.isEmpty }
        try await spy.wait("availability again") { $0.topic == "ewelink/\(Self.segment(plug))/availability" && $0.payload == "online" }
        try await spy.wait("state again", where: Self.stateSays(spy, plug, "state", "ON"))
        #expect(f.metric("ewelink_mqtt_connected").first?.value == 1)
        #expect((f.metric("ewelink_mqtt_disconnects_total").first?.value ?? 0) >= 1)
        // And commands work on the new session.
        try await spy.publish("ewelink/\(Self.segment(plug))/set", #"{"state":"OFF"}"#)
        try await eventually(timeout: .seconds(20), "off after the restart") { Self.isOn(plug) == false }

        // The hub stops: `offline` stays retained for the bridge.
        #expect(await f.stopHub() == 0)
        try await spy.wait("offline at shutdown") { $0.topic == "ewelink/bridge/state" && $0.payload == "offline" }
        await f.close()
    }

    @Test("with a cloud session: the LAN refused → the command goes through the cloud and says so; a device gone from LAN and cloud is offline")
    func cloudFallback() async throws {
        let broker = try await MQTTBroker()
        defer { broker.close() }
        let secret = "s-" + UUID().uuidString
        let plugID = TestFleet.freshID()
        let doc: JSONValue = [
            "devices": [["id": .string(plugID), "name": "Porch", "type": "plug", "port": 0,
                         "devicekey": .string(UUID().uuidString.lowercased())]],
            "cloud": ["appId": "mqtt-app", "appSecret": .string(secret),
                      "accounts": [["email": "o@example.com", "password": "pw", "region": "us",
                                    "apikey": .string(UUID().uuidString.lowercased()), "devices": [.string(plugID)]]]],
        ]
        let f = try await HubFixture(cloudFleet: try Fleet.parse(doc.serializedBytes, file: "mqtt-cloud"), appID: "mqtt-app",
                                     appSecret: secret, email: "o@example.com", password: "pw")
        try await f.startHub(["--mqtt", broker.url])
        let plug = f.sim.devices[0]
        try await eventually(timeout: .seconds(20), "the cloud session") {
            await HubWire.request(f.socketPath, "GET", "/health")?.json?["cloud"] == "connected"
        }
        let spy = try MQTTSpy(broker)
        defer { spy.close() }
        try await spy.wait("Porch online") { $0.topic == "ewelink/Porch/availability" && $0.payload == "online" }

        // The LAN refuses: the router's cloud leg carries the command; the answer and the state say which route.
        _ = await plug.setFaults { $0.lan = .refuse }
        try await spy.publish("ewelink/Porch/set", #"{"state":"ON"}"#)
        let answer = try await spy.wait("the answer") { $0.topic == "ewelink/bridge/response" }
        #expect(answer.json?["ok"] == true && answer.json?["route"] == "websocket", "\(answer.payload)")
        #expect(plug.snapshot.params["switch"] == "on")
        try await spy.wait("the state with its route") { $0.topic == "ewelink/Porch" && $0.json?["route"] == "websocket" && $0.json?["state"] == "ON" }
        #expect((f.metric("ewelink_mqtt_commands_total").first { $0.labels.contains(#"route="websocket""#) }?.value ?? 0) == 1)
        #expect(f.metric("ewelink_fallbacks_total").first?.value == 1)

        // Gone from the LAN (service withdrawn) and offline in the cloud: offline on its availability topic.
        _ = await plug.setFaults { $0.announce = false }
        plug.setOnline(false)
        try await spy.wait("offline", timeout: .seconds(60)) { $0.topic == "ewelink/Porch/availability" && $0.payload == "offline" }
        plug.setOnline(true)
        try await spy.wait("online again", timeout: .seconds(60)) {
            $0.topic == "ewelink/Porch/availability" && $0.payload == "online" && spy.messages(on: "ewelink/Porch/availability").last?.payload == "online"
        }
        _ = await plug.setFaults { $0.lan = .ok; $0.announce = true }
        await f.close()
    }

    @Test("a broker with a user name and password: the password from a 0600 file; a wrong one is refused and retried, never fatal")
    func passwordBroker() async throws {
        let password = "pw-" + UUID().uuidString
        let broker = try await MQTTBroker(users: ["hub": password, "ha": "ha-" + password])
        defer { broker.close() }
        let f = try await HubFixture([("plug", true)])
        let file = f.home + "/mqtt-password"
        _ = FileManager.default.createFile(atPath: file, contents: Data((password + "\n").utf8), attributes: [.posixPermissions: 0o644])
        let url = "mqtt://hub@127.0.0.1:\(broker.port)"
        // Readable by others: refused before anything starts.
        let loose = try await CommandRunner.run("ewelink-hub", ["--no-cloud", "--mqtt", url, "--mqtt-password-file", file], environment: f.env)
        #expect(loose.status == 2 && loose.stderr.contains("chmod 600"), "\(loose.stderr)")
        chmod(file, 0o600)
        try await f.startHub(["--mqtt", url, "--mqtt-password-file", file])
        let spy = try MQTTSpy(broker, credentials: ("ha", "ha-" + password))
        defer { spy.close() }
        try await spy.wait("online with credentials") { $0.topic == "ewelink/bridge/state" && $0.payload == "online" }
        try await spy.publish("ewelink/\(Self.segment(f.sim.devices[0]))/set", #"{"state":"ON"}"#)
        try await eventually(timeout: .seconds(20), "on") { Self.isOn(f.sim.devices[0]) == true }
        #expect(!f.log().contains(password), "the password in the hub's log")
        await f.stopHub()

        // A wrong password: the hub runs (HTTP API up), says why, and keeps trying.
        let wrong = f.home + "/wrong"
        _ = FileManager.default.createFile(atPath: wrong, contents: Data("nope".utf8), attributes: [.posixPermissions: 0o600])
        try await f.startHub(["--mqtt", url, "--mqtt-password-file", wrong], waitForDevices: false)
        try await eventually(timeout: .seconds(20), "the refusal in the log") { f.log().contains("refused the connection") }
        #expect(f.metric("ewelink_mqtt_connected").first?.value == 0)
        #expect(await HubWire.request(f.socketPath, "GET", "/health")?.status == 200)
        await f.close()
    }

    @Test("mqtts://: the broker's certificate checked against --mqtt-ca-file; one from a CA not trusted is refused")
    func tlsBroker() async throws {
        let certificates = try await TestCertificates.shared()
        let broker = try await MQTTBroker(tls: certificates.good)
        defer { broker.close() }
        let f = try await HubFixture([("plug", true)])
        try await f.startHub(["--mqtt", broker.url, "--mqtt-ca-file", certificates.caFile])
        let spy = try MQTTSpy(broker, caFile: certificates.caFile)
        defer { spy.close() }
        try await spy.wait("online over TLS") { $0.topic == "ewelink/bridge/state" && $0.payload == "online" }
        try await spy.publish("ewelink/\(Self.segment(f.sim.devices[0]))/set", #"{"state":"ON"}"#)
        try await eventually(timeout: .seconds(20), "on over TLS") { Self.isOn(f.sim.devices[0]) == true }
        await f.stopHub()

        // A broker whose certificate comes from a CA the hub was not told to trust: no session.
        let rogue = try await MQTTBroker(tls: certificates.untrusted)
        defer { rogue.close() }
        try await f.startHub(["--mqtt", rogue.url, "--mqtt-ca-file", certificates.caFile], waitForDevices: false)
        try await eventually(timeout: .seconds(30), "the handshake refused") { rogue.log().contains("OpenSSL Error") }
        try await eventually(timeout: .seconds(30), "the hub says why") { f.log().contains("certificate verify failed") }
        #expect(f.metric("ewelink_mqtt_connected").first?.value == 0)
        await f.close()
    }

    @Test("--mqtt-prefix, --discovery-prefix, --mqtt-topic id, --no-discovery: topics where asked, no configs at all")
    func prefixesAndIDs() async throws {
        let broker = try await MQTTBroker()
        defer { broker.close() }
        let f = try await HubFixture([("strip", true)])
        try await f.startHub(["--mqtt", broker.url, "--mqtt-prefix", "home/ew", "--discovery-prefix", "ha", "--mqtt-topic", "id",
                              "--no-discovery"])
        let strip = f.sim.devices[0]
        let spy = try MQTTSpy(broker)
        defer { spy.close() }
        try await spy.wait("online under the prefix") { $0.topic == "home/ew/bridge/state" && $0.payload == "online" }
        try await spy.wait("the state under the id") { $0.topic == "home/ew/\(strip.id)" && $0.json?["state_l1"] != nil }
        try await spy.publish("home/ew/\(strip.id)/set", #"{"state_l3":"ON","transaction":7}"#)
        try await eventually(timeout: .seconds(20), "outlet 2 on") { Self.isOn(strip, channel: 2) == true }
        try await spy.wait("answered") { $0.topic == "home/ew/bridge/response" && $0.json?["transaction"] == 7 && $0.json?["ok"] == true }
        // Its name is not a topic with --mqtt-topic id, and nothing went to a discovery prefix.
        try await spy.publish("home/ew/\(Self.segment(strip))/set", #"{"state":"ON"}"#)
        try await spy.wait("the name refused") { $0.topic == "home/ew/bridge/response" && $0.json?["ok"] == false }
        try await spy.publish("ha/status", "online")
        try await Task.sleep(for: .milliseconds(500))
        #expect(!spy.messages.contains { $0.topic.hasPrefix("ha/") && $0.topic != "ha/status" || $0.topic.hasPrefix("homeassistant/") || $0.topic.hasPrefix("ewelink/") })
        await f.close()
    }

    @Test("usage errors exit 2 with the reason, through ewelink serve too; a password never goes in the URL")
    func usage() async throws {
        let home = "/tmp/ewm-" + String(UUID().uuidString.prefix(8))
        defer { try? FileManager.default.removeItem(atPath: home) }
        let env = ["EWELINK_HOME": home]
        let cases: [([String], String)] = [
            (["--mqtt", "http://broker"], "must be mqtt://"),
            (["--mqtt", "mqtt://user:secret@broker"], "the password must not be in the URL"),
            (["--mqtt", "mqtt://broker:99999"], "the port must be 1...65535"),
            (["--mqtt", "mqtt://"], "the broker's host is missing"),
            (["--mqtt", "mqtt://broker/path"], "no path"),
            (["--mqtt", "mqtt://broker", "--mqtt-topic", "label"], "--mqtt-topic must be id or name"),
            (["--mqtt", "mqtt://broker", "--mqtt-prefix", "a/#"], "--mqtt-prefix must not hold"),
            (["--mqtt", "mqtt://broker", "--mqtt-password-file", "/nonexistent"], "needs a user name"),
            (["--mqtt", "mqtt://broker", "--mqtt-ca-file", "/etc/hostname"], "--mqtt-ca-file is for mqtts://"),
            (["--no-discovery"], "--no-discovery is for --mqtt"),
        ]
        for (args, message) in cases {
            for (tool, prefix) in [("ewelink-hub", [String]()), ("ewelink", ["serve"])] {
                let r = try await CommandRunner.run(tool, prefix + ["--no-cloud", "--socket", home + "/s.sock"] + args, environment: env)
                #expect(r.status == 2, "\(tool) \(args): \(r.status) \(r.stderr)")
                #expect(r.stderr.contains(message), "\(tool) \(args): \(r.stderr)")
                #expect(!r.stderr.contains("secret"), "the password repeated: \(r.stderr)")
            }
        }
        // The URL forms that are accepted.
        #expect(try MQTTOptions.parse(url: "mqtt://10.0.0.2").get() == MQTTOptions(host: "10.0.0.2", port: 1883))
        #expect(try MQTTOptions.parse(url: "mqtts://ha@broker.lan").get() == MQTTOptions(host: "broker.lan", port: 8883, tls: true, username: "ha"))
        #expect(try MQTTOptions.parse(url: "mqtt://[::1]:1884/").get() == MQTTOptions(host: "::1", port: 1884))
    }

    /// Resident memory of a process, bytes.
    static func rss(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
}
