@testable import EWeLinkHub
import Foundation
import Synchronization
import Testing
import TestSupport

/// `MQTTConnection`, the one place libmosquitto's callbacks meet Swift concurrency, against a real
/// mosquitto broker: messages both ways, a broker that is not there yet, a broker that goes away
/// and comes back, the last will, and nothing queued while disconnected.
@Suite("MQTTConnection: libmosquitto's threaded loop as an AsyncStream", .serialized)
struct MQTTConnectionTests {
    /// Collects a connection's events.
    final class Recorder: Sendable {
        final class Box: Sendable { let list = Mutex<[MQTTConnection.Event]>([]) }
        let box = Box()
        let task: Task<Void, Never>
        var events: [MQTTConnection.Event] { box.list.withLock { $0 } }

        init(_ connection: MQTTConnection, subscribe filter: String? = nil) {
            let box = self.box
            task = Task {
                for await event in connection.events {
                    if case .connected = event, let filter { connection.subscribe(filter) }
                    box.list.withLock { $0.append(event) }
                }
            }
        }

        var connections: Int { events.filter { if case .connected = $0 { true } else { false } }.count }
        var messages: [MQTTConnection.Message] { events.compactMap { if case .message(let m) = $0 { m } else { nil } } }
    }

    static func configuration(_ broker: MQTTBroker, _ name: String) -> MQTTConnection.Configuration {
        var c = MQTTConnection.Configuration(host: "127.0.0.1", port: broker.port, clientID: "\(name)-\(UUID().uuidString.prefix(8))")
        c.reconnectDelay = (1, 2)
        return c
    }

    @Test("messages both ways; the stream ends at stop; a stopped connection publishes nothing")
    func roundTrip() async throws {
        let broker = try await MQTTBroker()
        defer { broker.close() }
        let a = try MQTTConnection(Self.configuration(broker, "a"))
        let b = try MQTTConnection(Self.configuration(broker, "b"))
        let ra = Recorder(a, subscribe: "t/#")
        try a.start()
        try b.start()
        try await eventually(timeout: .seconds(20), "both connected") { a.isConnected && b.isConnected }
        try await Task.sleep(for: .milliseconds(200))  // a's subscription made
        let payload = Array("héllo \u{0}binary".utf8)
        #expect(b.publish(.init(topic: "t/1", payload: payload)))
        try await eventually(timeout: .seconds(20), "the message") { ra.messages.contains { $0.topic == "t/1" } }
        #expect(ra.messages.first { $0.topic == "t/1" }?.payload == payload)
        b.stop()
        #expect(!b.isConnected && !b.publish(.init(topic: "t/2", payload: [1])))
        a.stop()
        await ra.task.value  // the stream ended
    }

    @Test("a broker that starts later, and one that goes away and comes back: connected each time by the loop's own retries; nothing published meanwhile arrives late")
    func reconnects() async throws {
        let broker = try await MQTTBroker()
        broker.stop()
        defer { broker.close() }
        let c = try MQTTConnection(Self.configuration(broker, "late"))
        let rc = Recorder(c, subscribe: "r/#")
        try c.start()  // no broker yet: not an error
        try await Task.sleep(for: .milliseconds(300))
        #expect(!c.isConnected)
        #expect(!c.publish(.init(topic: "r/early", payload: [1])), "published while disconnected")
        try await broker.start()
        try await eventually(timeout: .seconds(30), "connected once the broker is up") { c.isConnected }
        broker.stop()
        try await eventually(timeout: .seconds(30), "the loss noticed") { !c.isConnected }
        try await eventually(timeout: .seconds(20), "the .disconnected event") {
            rc.events.contains { if case .disconnected = $0 { true } else { false } }
        }
        try await broker.start()
        try await eventually(timeout: .seconds(30), "connected again") { c.isConnected && rc.connections == 2 }
        let probe = try MQTTConnection(Self.configuration(broker, "probe"))
        try probe.start()
        try await eventually(timeout: .seconds(20), "probe") { probe.isConnected }
        try await Task.sleep(for: .milliseconds(200))
        probe.publish(.init(topic: "r/now", payload: [2]))
        try await eventually(timeout: .seconds(20), "resubscribed after the reconnection") { rc.messages.contains { $0.topic == "r/now" } }
        #expect(!rc.messages.contains { $0.topic == "r/early" })
        probe.stop()
        c.stop()
    }

    @Test("the last will is published when the session ends without a clean disconnect; the farewell when it ends cleanly")
    func willAndFarewell() async throws {
        let broker = try await MQTTBroker()
        defer { broker.close() }
        let watcher = try MQTTConnection(Self.configuration(broker, "watcher"))
        let rw = Recorder(watcher, subscribe: "w/#")
        try watcher.start()
        try await eventually(timeout: .seconds(20), "watcher") { watcher.isConnected }
        // A process whose session dies: mosquitto_sub with a will, killed.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        p.arguments = ["-h", "127.0.0.1", "-p", String(broker.port), "-t", "x", "--will-topic", "w/state", "--will-payload", "gone", "-k", "5"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        try await Task.sleep(for: .milliseconds(500))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        try await eventually(timeout: .seconds(30), "the will") { rw.messages.contains { $0.topic == "w/state" && $0.text == "gone" } }
        // Ours: the will is set; a clean stop sends the farewell instead.
        var config = Self.configuration(broker, "ours")
        config.will = .init(topic: "w/ours", payload: Array("offline".utf8), qos: 1, retain: true)
        let ours = try MQTTConnection(config)
        try ours.start()
        try await eventually(timeout: .seconds(20), "ours") { ours.isConnected }
        ours.stop(farewell: .init(topic: "w/ours", payload: Array("bye".utf8), qos: 1, retain: true))
        try await eventually(timeout: .seconds(20), "the farewell") { rw.messages.contains { $0.topic == "w/ours" && $0.text == "bye" } }
        watcher.stop()
    }
}
