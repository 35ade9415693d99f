import CMosquitto
import Foundation
import Synchronization

/// One MQTT client session over libmosquitto, and the only place its C callbacks meet Swift
/// concurrency: libmosquitto's own network thread (`mosquitto_loop_start`) connects, reconnects
/// with a capped exponential backoff and calls back; each callback becomes an `Event` on one
/// bounded `AsyncStream`. Publishing is thread-safe (libmosquitto's threaded mode).
///
/// The session is clean: the broker keeps nothing for us while we are away, so a command sent
/// while the bridge was disconnected is never delivered late. Messages published while
/// disconnected are dropped, not queued: whoever publishes state re-publishes it on `.connected`.
package final class MQTTConnection: Sendable {
    /// One message, in or out.
    package struct Message: Sendable, Equatable {
        package var topic: String
        package var payload: [UInt8]
        package var qos: Int32 = 1
        package var retain = false
        package var text: String { String(decoding: payload, as: UTF8.self) }
        package init(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
        }
    }

    /// What the connection reports.
    package enum Event: Sendable {
        /// The broker accepted the session (the first time and after every reconnect): subscribe
        /// and publish what must be there.
        case connected
        /// The broker refused the session (bad credentials, not authorised): the reason in words.
        case refused(String)
        /// The session ended; libmosquitto reconnects by itself (unless `stop` was called).
        case disconnected(String)
        /// A message on a subscribed topic.
        case message(Message)
        /// libmosquitto's own account of an error (a connection or TLS handshake that failed).
        case problem(String)
    }

    /// Where and how to connect.
    package struct Configuration: Sendable {
        package var host: String
        package var port: Int
        package var clientID: String
        package var username: String?
        package var password: String?
        /// TLS: trust this CA file, or the system's CAs when nil.
        package var tls = false
        package var caFile: String?
        /// Published by the broker when the session ends without a clean disconnect.
        package var will: Message?
        package var keepAliveSeconds: Int32 = 30
        /// Reconnect backoff: from `minimum` doubling to `maximum` seconds.
        package var reconnectDelay: (minimum: UInt32, maximum: UInt32) = (1, 30)
        /// Incoming messages not yet handled; beyond it the oldest are dropped (a flood of
        /// commands cannot grow memory without bound).
        package var incomingBuffer = 4096

        /// A session with `clientID` to `host:port`.
        package init(host: String, port: Int, clientID: String) {
            self.host = host
            self.port = port
            self.clientID = clientID
        }
    }

    /// Why the connection could not be set up.
    package struct SetupError: Error, CustomStringConvertible {
        package var description: String
    }

    /// The callbacks' target: lives as long as the mosquitto handle (freed after it).
    private final class Sink: Sendable {
        let continuation: AsyncStream<Event>.Continuation
        let connected = Atomic<Bool>(false)
        init(_ continuation: AsyncStream<Event>.Continuation) { self.continuation = continuation }
    }

    /// The handle; nil once destroyed.
    private struct Handle: @unchecked Sendable {
        var pointer: OpaquePointer?
        /// libmosquitto's network thread runs (the first connection was made).
        var loopRunning = false
    }

    private let handle: Mutex<Handle>
    private let sink: Sink
    private let started = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    /// Every event of the session, in order.
    package let events: AsyncStream<Event>
    package let configuration: Configuration

    private static let library: Void = { mosquitto_lib_init() }()

    package init(_ configuration: Configuration) throws(SetupError) {
        _ = Self.library
        self.configuration = configuration
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self,
                                                            bufferingPolicy: .bufferingNewest(configuration.incomingBuffer))
        events = stream
        sink = Sink(continuation)
        guard let mosq = mosquitto_new(configuration.clientID, true, Unmanaged.passUnretained(sink).toOpaque()) else {
            throw SetupError(description: "cannot create an MQTT client: \(String(cString: strerror(errno)))")
        }
        handle = Mutex(Handle(pointer: mosq))
        do throws(SetupError) {
            try Self.configure(mosq, configuration)
        } catch {
            mosquitto_destroy(mosq)
            handle.withLock { $0.pointer = nil }
            throw error
        }
        mosquitto_connect_callback_set(mosq) { _, object, code in
            let sink = Unmanaged<Sink>.fromOpaque(object!).takeUnretainedValue()
            if code == 0 {
                sink.connected.store(true, ordering: .sequentiallyConsistent)
                sink.continuation.yield(.connected)
            } else {
                sink.continuation.yield(.refused(String(cString: mosquitto_connack_string(code))))
            }
        }
        mosquitto_disconnect_callback_set(mosq) { _, object, code in
            let sink = Unmanaged<Sink>.fromOpaque(object!).takeUnretainedValue()
            sink.connected.store(false, ordering: .sequentiallyConsistent)
            sink.continuation.yield(.disconnected(code == 0 ? "closed" : String(cString: mosquitto_strerror(code))))
        }
        mosquitto_log_callback_set(mosq) { _, object, level, text in
            guard let object, let text, level == MOSQ_LOG_ERR else { return }
            Unmanaged<Sink>.fromOpaque(object).takeUnretainedValue().continuation.yield(.problem(String(cString: text)))
        }
        mosquitto_message_callback_set(mosq) { _, object, message in
            guard let object, let message else { return }
            let sink = Unmanaged<Sink>.fromOpaque(object).takeUnretainedValue()
            let m = message.pointee
            let payload = m.payloadlen > 0 && m.payload != nil
                ? Array(UnsafeRawBufferPointer(start: m.payload, count: Int(m.payloadlen))) : []
            sink.continuation.yield(.message(Message(topic: String(cString: m.topic), payload: payload, qos: m.qos,
                                                     retain: m.retain)))
        }
    }

    private static func configure(_ mosq: OpaquePointer, _ c: Configuration) throws(SetupError) {
        func check(_ rc: Int32, _ what: String) throws(SetupError) {
            guard rc == MOSQ_ERR_SUCCESS.rawValue else {
                throw SetupError(description: "\(what): \(String(cString: mosquitto_strerror(rc)))")
            }
        }
        try check(mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, Int32(MQTT_PROTOCOL_V311)), "MQTT 3.1.1")
        // Small messages go out at once: Nagle's algorithm would hold a command's publish until the
        // broker's acknowledgement of the previous one (tens of milliseconds on loopback).
        try check(mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1), "TCP_NODELAY")
        if c.username != nil || c.password != nil {
            try check(mosquitto_username_pw_set(mosq, c.username, c.password), "the MQTT user name or password")
        }
        if let will = c.will {
            try check(will.payload.withUnsafeBytes {
                mosquitto_will_set(mosq, will.topic, Int32($0.count), $0.baseAddress, will.qos, will.retain)
            }, "the last will on \(will.topic)")
        }
        if c.tls {
            if let caFile = c.caFile {
                try check(mosquitto_tls_set(mosq, caFile, nil, nil, nil, nil), "the MQTT CA file \(caFile)")
            } else {
                try check(mosquitto_int_option(mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1), "the system's CA certificates")
            }
        }
        try check(mosquitto_reconnect_delay_set(mosq, c.reconnectDelay.minimum, c.reconnectDelay.maximum, true),
                  "the reconnect delay")
    }

    /// Whether the broker has accepted the session and it has not ended since.
    package var isConnected: Bool { sink.connected.load(ordering: .sequentiallyConsistent) }

    /// Starts connecting; it keeps reconnecting until `stop`. A broker that is not there yet is not
    /// an error: the connection waits for it (reported as `.problem`, retried with the backoff).
    package func start() throws(SetupError) {
        guard !started.exchange(true, ordering: .sequentiallyConsistent) else { return }
        let rc = attempt()
        if rc == MOSQ_ERR_SUCCESS.rawValue { return }
        // Only arguments it cannot use are final.
        if rc == MOSQ_ERR_INVAL.rawValue || rc == MOSQ_ERR_NOMEM.rawValue {
            throw SetupError(description: "cannot connect to \(configuration.host):\(configuration.port): \(String(cString: mosquitto_strerror(rc)))")
        }
        // libmosquitto's loop reconnects a session that was once up, but not a first connection
        // that failed (2.0.11): until the broker first answers, the retries are made here.
        sink.continuation.yield(.problem(Self.failure(rc, configuration)))
        let delays = configuration.reconnectDelay
        Thread { [self] in
            var delay = Double(delays.minimum)
            while !stopping.load(ordering: .sequentiallyConsistent) {
                let until = ContinuousClock.now + .milliseconds(Int64(delay * 1000))
                while ContinuousClock.now < until, !stopping.load(ordering: .sequentiallyConsistent) { usleep(50_000) }
                if stopping.load(ordering: .sequentiallyConsistent) { return }
                let rc = attempt()
                if rc == MOSQ_ERR_SUCCESS.rawValue { return }
                sink.continuation.yield(.problem(Self.failure(rc, configuration)))
                delay = min(delay * 2, Double(delays.maximum))
            }
        }.start()
    }

    private static func failure(_ rc: Int32, _ c: Configuration) -> String {
        let why = rc == MOSQ_ERR_ERRNO.rawValue ? String(cString: strerror(errno)) : String(cString: mosquitto_strerror(rc))
        return "cannot connect to \(c.host):\(c.port): \(why); retrying"
    }

    /// One connection attempt; once it succeeds, libmosquitto's network thread takes over.
    private func attempt() -> Int32 {
        handle.withLock { h -> Int32 in
            guard let mosq = h.pointer else { return MOSQ_ERR_INVAL.rawValue }
            let rc = mosquitto_connect_async(mosq, configuration.host, Int32(configuration.port), configuration.keepAliveSeconds)
            guard rc == MOSQ_ERR_SUCCESS.rawValue else { return rc }
            let loop = mosquitto_loop_start(mosq)
            if loop == MOSQ_ERR_SUCCESS.rawValue { h.loopRunning = true }
            return loop
        }
    }

    /// Subscribes to a topic filter (QoS 1).
    @discardableResult
    package func subscribe(_ filter: String, qos: Int32 = 1) -> Bool {
        handle.withLock { h in
            guard let mosq = h.pointer else { return false }
            return mosquitto_subscribe(mosq, nil, filter, qos) == MOSQ_ERR_SUCCESS.rawValue
        }
    }

    /// Publishes `message` when connected; false (and nothing queued) when not.
    @discardableResult
    package func publish(_ message: Message) -> Bool {
        guard isConnected else { return false }
        return handle.withLock { h in
            guard let mosq = h.pointer else { return false }
            return message.payload.withUnsafeBytes {
                mosquitto_publish(mosq, nil, message.topic, Int32($0.count), $0.baseAddress, message.qos, message.retain)
            } == MOSQ_ERR_SUCCESS.rawValue
        }
    }

    /// Publishes the last words (when `farewell` is given) and disconnects cleanly, ends the
    /// network thread and frees the handle; `events` ends.
    package func stop(farewell: Message? = nil) {
        stopping.store(true, ordering: .sequentiallyConsistent)
        let (mosq, loopRunning) = handle.withLock { h -> (OpaquePointer?, Bool) in
            defer { h.pointer = nil }
            return (h.pointer, h.loopRunning)
        }
        guard let mosq else { return }
        if let farewell, isConnected {
            _ = farewell.payload.withUnsafeBytes {
                mosquitto_publish(mosq, nil, farewell.topic, Int32($0.count), $0.baseAddress, farewell.qos, farewell.retain)
            }
        }
        mosquitto_disconnect(mosq)
        // The loop thread ends once the disconnect (after the farewell) is sent, or wakes from its
        // reconnect wait and sees the session is being closed.
        if loopRunning { mosquitto_loop_stop(mosq, false) }
        mosquitto_destroy(mosq)
        sink.connected.store(false, ordering: .sequentiallyConsistent)
        sink.continuation.finish()
    }

    deinit { stop() }
}
