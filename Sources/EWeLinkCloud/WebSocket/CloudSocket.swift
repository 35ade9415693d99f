import EWeLinkLAN
import Foundation
import Logging
import NIOCore
import Synchronization
import NIOSSL
import WSClient

/// The cloud WebSocket session: dispatch → `wss://domain:port/api/ws` → `userOnline` (version 8) →
/// text `ping` heartbeats at 0.8 × `hbInterval` → `update` / `query` with replies matched by
/// `sequence` → device pushes as events → reconnection with exponential back-off and jitter.
/// One session serves every caller; commands in flight when the socket drops fail with a clear
/// error instead of vanishing.
public final class CloudSocket: Sendable {
    public struct Options: Sendable {
        public var replyTimeout: Duration = .seconds(5)
        /// First reconnection delay; doubles per failure up to `reconnectCap`, with ±20 % jitter.
        public var reconnectBase: Duration = .seconds(2)
        public var reconnectCap: Duration = .seconds(300)
        public init() {}
    }

    private struct State {
        var pending: [String: CheckedContinuation<CloudReply, any Error>] = [:]
        var outgoing: AsyncStream<String>.Continuation?
        var connected = false
        var runner: Task<Void, Never>?
        var connects = 0
    }

    public let events: AsyncStream<CloudEvent>
    private let eventSink: AsyncStream<CloudEvent>.Continuation
    private let client: CloudClient
    private let options: Options
    private let state = Mutex(State())

    public init(client: CloudClient, options: Options = Options()) {
        self.client = client
        self.options = options
        (events, eventSink) = AsyncStream.makeStream(of: CloudEvent.self, bufferingPolicy: .bufferingNewest(1024))
    }

    private let subscribers = Mutex<[UUID: AsyncStream<CloudEvent>.Continuation]>([:])

    private static let sessions = Mutex<[String: CloudSocket]>([:])

    /// The process's one session for this app and account (made on first use): every caller
    /// shares it, so the cloud sees one `userOnline` per process, not one per feature.
    public static func shared(for client: CloudClient) -> CloudSocket {
        let key = client.credentials.appID + "|" + (client.session?.apikey ?? "") + "|" + client.endpoints.apiBase(.us)
        return sessions.withLock { all in
            if let existing = all[key] { return existing }
            let created = CloudSocket(client: client)
            all[key] = created
            return created
        }
    }

    /// A stream of its own for one more listener (`events` has room for one): every event from now on.
    public func subscribe() -> AsyncStream<CloudEvent> {
        let (stream, sink) = AsyncStream.makeStream(of: CloudEvent.self, bufferingPolicy: .bufferingNewest(1024))
        let id = UUID()
        subscribers.withLock { $0[id] = sink }
        sink.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        return stream
    }

    private func emit(_ event: CloudEvent) {
        eventSink.yield(event)
        for sink in subscribers.withLock({ Array($0.values) }) { sink.yield(event) }
    }

    public var isConnected: Bool { state.withLock { $0.connected } }
    /// How many times a session was established (reconnections included).
    public var connectionCount: Int { state.withLock { $0.connects } }

    /// Starts the session in the background (reconnecting until `stop`).
    public func start() {
        state.withLock { s in
            guard s.runner == nil else { return }
            s.runner = Task { [self] in await self.runLoop() }
        }
    }

    public func stop() async {
        let runner = state.withLock { s -> Task<Void, Never>? in defer { s.runner = nil }; return s.runner }
        runner?.cancel()
        state.withLock { $0.outgoing?.finish() }
        await runner?.value
        eventSink.finish()
        for sink in subscribers.withLock({ s in defer { s = [:] }; return Array(s.values) }) { sink.finish() }
    }

    /// Waits until the session is up (or throws after `timeout`).
    public func waitUntilConnected(timeout: Duration = .seconds(10)) async throws(CloudError) {
        let deadline = ContinuousClock.now + timeout
        while !isConnected {
            guard ContinuousClock.now < deadline else { throw .transport(path: "/api/ws", reason: "not connected") }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: Commands

    /// Sends params to a device (`update`); `apikey` is the owner's, from the thing list.
    public func update(_ deviceID: String, apikey: String, params: JSONObject,
                       sequence: String = SequenceGenerator.shared.nextString()) async throws(CloudError) -> CloudReply {
        try await send([
            "action": "update", "apikey": .string(apikey), "selfApikey": .string(client.session?.apikey ?? ""),
            "deviceid": .string(deviceID), "params": .object(params), "userAgent": "app", "sequence": .string(sequence),
        ], sequence: sequence)
    }

    /// Asks a device for params (`query`; empty: all).
    public func query(_ deviceID: String, apikey: String, params: [String] = []) async throws(CloudError) -> CloudReply {
        let sequence = SequenceGenerator.shared.nextString()
        return try await send([
            "action": "query", "apikey": .string(apikey), "selfApikey": .string(client.session?.apikey ?? ""),
            "deviceid": .string(deviceID), "params": .array(params.map(JSONValue.string)), "userAgent": "app",
            "sequence": .string(sequence),
        ], sequence: sequence)
    }

    /// Tells a device to fetch and install `offer` (`upgrade`). The acknowledgement only says the
    /// device took the order; it then reboots and reports its new `fwVersion`.
    public func upgrade(_ deviceID: String, apikey: String, model: String, offer: OTAOffer) async throws(CloudError) -> CloudReply {
        let sequence = SequenceGenerator.shared.nextString()
        return try await send([
            "action": "upgrade", "deviceid": .string(deviceID), "apikey": .string(apikey),
            "selfApikey": .string(client.session?.apikey ?? ""), "userAgent": "app", "sequence": .string(sequence),
            "params": ["model": .string(model), "version": .string(offer.version), "binList": .array(offer.binList)],
        ], sequence: sequence)
    }

    private func send(_ message: JSONObject, sequence: String) async throws(CloudError) -> CloudReply {
        let text = message.serialized
        let result: Result<CloudReply, any Error> = await withCheckedContinuation { outer in
            Task {
                do {
                    let reply = try await withCheckedThrowingContinuation { (cont: CheckedContinuation<CloudReply, any Error>) in
                        let sent = state.withLock { s -> Bool in
                            guard s.connected, let out = s.outgoing else { return false }
                            s.pending[sequence] = cont
                            out.yield(text)
                            return true
                        }
                        if !sent { cont.resume(throwing: CloudError.transport(path: "/api/ws", reason: "the cloud session is not connected")) }
                        else { scheduleTimeout(sequence) }
                    }
                    outer.resume(returning: .success(reply))
                } catch {
                    outer.resume(returning: .failure(error))
                }
            }
        }
        switch result {
        case .success(let reply):
            if reply.error != 0 { throw .api(code: reply.error, message: Self.replyMeaning(reply.error), path: "ws \(message["action"]?.stringValue ?? "")") }
            return reply
        case .failure(let error as CloudError): throw error
        case .failure(let error): throw .transport(path: "/api/ws", reason: CloudError.transportReason(error))
        }
    }

    private func scheduleTimeout(_ sequence: String) {
        let timeout = options.replyTimeout
        Task { [self] in
            try? await Task.sleep(for: timeout)
            let cont = state.withLock { $0.pending.removeValue(forKey: sequence) }
            cont?.resume(throwing: CloudError.transport(path: "/api/ws", reason: "no reply to \(sequence) within \(timeout)"))
        }
    }

    static func replyMeaning(_ code: Int) -> String {
        switch code {
        case 503: return "device offline"
        case 504: return "device did not answer"
        case 406: return "authentication failed"
        default: return ""
        }
    }

    // MARK: Connection

    private func runLoop() async {
        var failures = 0
        while !Task.isCancelled {
            let started = ContinuousClock.now
            let reason = await connectOnce()
            failAllPending(reason)
            emit(.disconnected(reason: reason))
            if Task.isCancelled { break }
            // A session that lasted a while resets the back-off.
            failures = ContinuousClock.now - started > .seconds(60) ? 1 : failures + 1
            let exponent = min(failures - 1, 16)
            var delay = options.reconnectBase * (1 << exponent)
            if delay > options.reconnectCap { delay = options.reconnectCap }
            delay = delay * Double.random(in: 0.8...1.2)
            try? await Task.sleep(for: delay)
        }
    }

    private func failAllPending(_ reason: String) {
        let pending = state.withLock { s -> [CheckedContinuation<CloudReply, any Error>] in
            s.connected = false
            s.outgoing = nil
            defer { s.pending = [:] }
            return Array(s.pending.values)
        }
        for cont in pending {
            cont.resume(throwing: CloudError.transport(path: "/api/ws", reason: "the cloud connection dropped (\(reason)); the command may not have been delivered"))
        }
    }

    /// One session, from dispatch to close; returns why it ended.
    private func connectOnce() async -> String {
        guard let session = client.session else { return "not logged in" }
        let url: String
        do { url = try await client.webSocketURL() } catch { return error.description }
        var logger = Logger(label: "ewelink-cloud-socket")
        logger.logLevel = .critical
        let (outgoing, outgoingSink) = AsyncStream.makeStream(of: String.self)
        let handshakeSequence = SequenceGenerator.shared.nextString()
        let hello: JSONObject = [
            "action": "userOnline", "at": .string(session.at), "apikey": .string(session.apikey),
            "appid": .string(client.credentials.appID), "nonce": .string(CloudSignature.nonce()),
            "ts": .int(Int(Date().timeIntervalSince1970)), "userAgent": "app", "sequence": .string(handshakeSequence),
            "version": 8,
        ]
        let outcome = Mutex<String>("closed by the server")
        do {
            let tls: TLSConfiguration? = url.hasPrefix("wss:") ? .makeClientConfiguration() : nil
            try await WebSocketClient.connect(url: url, tlsConfiguration: tls, logger: logger) { [self] inbound, outbound, _ in
                try await outbound.write(.text(hello.serialized))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in outgoing { try await outbound.write(.text(text)) }
                    }
                    var heartbeat: Task<Void, Never>? = nil
                    defer { heartbeat?.cancel() }
                    for try await message in inbound.messages(maxSize: CloudSocketMessage.maxBytes) {
                        guard case .text(let text) = message,
                              let parsed = try? CloudSocketMessage.parse(text) else { continue }
                        if case .reply(let reply, let hbInterval) = parsed, reply.sequence == handshakeSequence {
                            guard reply.error == 0 else {
                                outcome.withLock { $0 = "userOnline refused: error \(reply.error)" }
                                break
                            }
                            let interval = max(1, hbInterval ?? 90)
                            heartbeat = Task {
                                while !Task.isCancelled {
                                    try? await Task.sleep(for: .seconds(Double(interval) * 0.8))
                                    if Task.isCancelled { break }
                                    outgoingSink.yield("ping")
                                }
                            }
                            state.withLock { s in
                                s.connected = true
                                s.outgoing = outgoingSink
                                s.connects += 1
                            }
                            emit(.connected)
                            continue
                        }
                        handle(parsed)
                    }
                    outgoingSink.finish()
                    group.cancelAll()
                }
            }
        } catch {
            return "\(error)"
        }
        return outcome.withLock { $0 }
    }

    private func handle(_ message: CloudSocketMessage) {
        switch message {
        case .update(let id, let params): emit(.update(deviceID: id, params: params))
        case .presence(let id, let online): emit(.online(deviceID: id, online))
        case .reply(let reply, _):
            state.withLock { $0.pending.removeValue(forKey: reply.sequence) }?.resume(returning: reply)
        case .pong, .other:
            break  // heartbeats; reportSubDevice, notify…: not needed here
        }
    }
}
