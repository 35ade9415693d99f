import EWeLinkCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import Synchronization

/// The cloud WebSocket session: dispatch → `wss://domain:port/api/ws` → `userOnline` (version 8) →
/// text `ping` heartbeats at 0.8 × `hbInterval` (none when `config.hb` is 0) → `update` / `query`
/// with replies matched by `sequence` (or, for replies without one, to the oldest command waiting
/// for that device) → device pushes as events → reconnection with exponential back-off and jitter.
/// One session serves every caller it is handed to (a router, an event stream, an OTA update):
/// whoever made it owns it, starts it and stops it; there is no process-wide registry. Commands
/// in flight when the socket drops fail with a clear error instead of vanishing.
public final class CloudSocket: Sendable {
    /// How patient the session is with replies and reconnections.
    public struct Options: Sendable {
        /// How long a command waits for the device's reply before it fails.
        public var replyTimeout: Duration = .seconds(5)
        /// First reconnection delay; doubles per failure up to `reconnectCap`, with ±20 % jitter.
        public var reconnectBase: Duration = .seconds(2)
        /// The longest delay between reconnection attempts.
        public var reconnectCap: Duration = .seconds(300)
        /// The defaults: 5 s replies, reconnecting after 2 s, doubling up to 5 min.
        public init() {}
    }

    /// A command waiting for its reply.
    private struct Pending {
        var deviceID: String
        var order: Int
        var continuation: CheckedContinuation<CloudReply, any Error>
    }

    private struct State {
        var pending: [String: Pending] = [:]
        var sent = 0
        /// Callers of `waitUntilConnected`, answered when the session comes up (nil) or when an
        /// attempt fails in a way retrying cannot mend (that failure).
        var connectWaiters: [UUID: CheckedContinuation<CloudError?, Never>] = [:]
        /// Why the last attempt to open the session failed (cleared once it is up).
        var lastFailure: CloudError?
        var outgoing: AsyncStream<String>.Continuation?
        var connected = false
        var runner: Task<Void, Never>?
        var connects = 0
    }

    /// Pushes, online/offline changes and the session's ups and downs, for one listener; more listeners use `subscribe()`.
    public let events: AsyncStream<CloudEvent>
    private let eventSink: AsyncStream<CloudEvent>.Continuation
    private let client: CloudClient
    private let options: Options
    private let state = Mutex(State())

    /// A session over `client`'s login; nothing connects until `start()`.
    public init(client: CloudClient, options: Options = Options()) {
        self.client = client
        self.options = options
        (events, eventSink) = AsyncStream.makeStream(of: CloudEvent.self, bufferingPolicy: .bufferingNewest(1024))
    }

    private let subscribers = Mutex<[UUID: AsyncStream<CloudEvent>.Continuation]>([:])

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

    /// Whether the session is up now (handshake done, `userOnline` answered).
    public var isConnected: Bool { state.withLock { $0.connected } }
    /// How many times a session was established (reconnections included).
    public var connectionCount: Int { state.withLock { $0.connects } }
    /// Why the last attempt to open the session failed, while it is not up.
    public var lastFailure: CloudError? { state.withLock { $0.connected ? nil : $0.lastFailure } }

    /// Starts the session in the background (reconnecting until `stop`).
    public func start() {
        state.withLock { s in
            guard s.runner == nil else { return }
            s.runner = Task { [self] in await self.runLoop() }
        }
    }

    /// Closes the session and stops reconnecting; commands waiting for replies fail. Returns once the connection is closed.
    public func stop() async {
        let runner = state.withLock { s -> Task<Void, Never>? in defer { s.runner = nil }; return s.runner }
        runner?.cancel()
        state.withLock { $0.outgoing?.finish() }
        await runner?.value
        eventSink.finish()
        for sink in subscribers.withLock({ s in defer { s = [:] }; return Array(s.values) }) { sink.finish() }
    }

    /// Waits until the session is up. Throws at once when an attempt fails in a way retrying
    /// cannot mend (a refused certificate, TLS to a plain port, unusable settings), else after
    /// `timeout` with the last attempt's failure.
    public func waitUntilConnected(timeout: Duration = .seconds(10)) async throws(CloudError) {
        let outcome = await withTaskGroup(of: CloudError?.self) { group in
            group.addTask { await self.connectedSignal() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                let last = self.lastFailure.map { " (last attempt: \($0))" } ?? ""
                return .transport(path: "/api/ws", reason: "not connected within \(timeout)\(last)")
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if let outcome { throw outcome }
    }

    /// Returns nil once the session is up (at once when it is) or when the caller is cancelled,
    /// or the failure that ends the wait.
    private func connectedSignal() async -> CloudError? {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (cont: CheckedContinuation<CloudError?, Never>) in
                let now = state.withLock { s -> (Bool, CloudError?) in
                    if s.connected || Task.isCancelled { return (true, nil) }
                    if let failure = s.lastFailure, failure.isLasting { return (true, failure) }
                    s.connectWaiters[id] = cont
                    return (false, nil)
                }
                if now.0 { cont.resume(returning: now.1) }
            }
        } onCancel: {
            state.withLock { $0.connectWaiters.removeValue(forKey: id) }?.resume(returning: nil)
        }
    }

    /// Notes why an attempt failed; answers the waiters when retrying cannot mend it.
    private func noteFailure(_ failure: CloudError) {
        let waiting = state.withLock { s -> [CheckedContinuation<CloudError?, Never>] in
            s.lastFailure = failure
            guard failure.isLasting else { return [] }
            defer { s.connectWaiters = [:] }
            return Array(s.connectWaiters.values)
        }
        for waiter in waiting { waiter.resume(returning: failure) }
    }

    // MARK: Commands

    /// Sends params to a device (`update`); `apikey` is the owner's, from the thing list.
    /// `sequence` (nil: the next of the process's sequence numbers) matches the reply to the command.
    public func update(_ deviceID: String, apikey: String, params: JSONObject,
                       sequence: String? = nil) async throws(CloudError) -> CloudReply {
        let sequence = sequence ?? SequenceGenerator.shared.nextString()
        return try await send(command("update", deviceID, apikey: apikey, params: .object(params), sequence: sequence),
                       deviceID: deviceID, sequence: sequence)
    }

    /// Asks a device for params (`query`; empty: all).
    public func query(_ deviceID: String, apikey: String, params: [String] = []) async throws(CloudError) -> CloudReply {
        let sequence = SequenceGenerator.shared.nextString()
        return try await send(command("query", deviceID, apikey: apikey, params: .array(params.map(JSONValue.string)),
                                      sequence: sequence), deviceID: deviceID, sequence: sequence)
    }

    /// Tells a device to fetch and install `offer` (`upgrade`). The acknowledgement only says the
    /// device took the order; it then reboots and reports its new `fwVersion`.
    public func upgrade(_ deviceID: String, apikey: String, model: String, offer: OTAOffer) async throws(CloudError) -> CloudReply {
        let sequence = SequenceGenerator.shared.nextString()
        let params: JSONValue = ["model": .string(model), "version": .string(offer.version), "binList": .array(offer.binList)]
        return try await send(command("upgrade", deviceID, apikey: apikey, params: params, sequence: sequence),
                              deviceID: deviceID, sequence: sequence)
    }

    /// A command to a device. `apikey` is the owner's; for a device shared with this account
    /// (another owner) `selfApikey` names the receiver, as the document requires, and is left
    /// out for own devices.
    func command(_ action: String, _ deviceID: String, apikey: String, params: JSONValue, sequence: String) -> JSONObject {
        var message: JSONObject = ["action": .string(action), "deviceid": .string(deviceID), "apikey": .string(apikey)]
        if let own = client.session?.apikey, own != apikey { message["selfApikey"] = .string(own) }
        message["userAgent"] = "app"
        message["sequence"] = .string(sequence)
        message["params"] = params
        return message
    }

    /// Sends one command and waits for its reply, at most `replyTimeout` (the wait is a child
    /// task next to the exchange; whichever ends first ends the other).
    private func send(_ message: JSONObject, deviceID: String, sequence: String) async throws(CloudError) -> CloudReply {
        let text = message.serialized
        let timeout = options.replyTimeout
        let outcome = await withTaskGroup(of: Result<CloudReply, CloudError>.self) { group in
            group.addTask { await self.exchange(text, deviceID: deviceID, sequence: sequence) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .failure(.transport(path: "/api/ws", reason: "no reply to \(sequence) within \(timeout)"))
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        let path = "ws \(message["action"]?.stringValue ?? "")"
        let reply = try outcome.get()
        // 504 is the document's "device does not respond"; older answers said 503.
        if reply.error == CloudErrorCode.deviceNotResponding.rawValue || reply.error == 503 {
            throw .deviceOffline(deviceID: deviceID, path: path)
        }
        if reply.error != 0 { throw .api(code: reply.error, message: CloudErrorCode.webSocketMeaning(reply.error), path: path) }
        return reply
    }

    /// Writes the command and waits for the reply matched to it; a cancelled wait (the timeout)
    /// withdraws it.
    private func exchange(_ text: String, deviceID: String, sequence: String) async -> Result<CloudReply, CloudError> {
        do {
            let reply = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (cont: CheckedContinuation<CloudReply, any Error>) in
                    let refusal: CloudError? = state.withLock { s in
                        if Task.isCancelled { return .transport(path: "/api/ws", reason: "cancelled") }
                        guard s.connected, let out = s.outgoing else {
                            return .transport(path: "/api/ws", reason: "the cloud session is not connected")
                        }
                        s.sent += 1
                        s.pending[sequence] = Pending(deviceID: deviceID, order: s.sent, continuation: cont)
                        out.yield(text)
                        return nil
                    }
                    if let refusal { cont.resume(throwing: refusal) }
                }
            } onCancel: {
                state.withLock { $0.pending.removeValue(forKey: sequence) }?.continuation
                    .resume(throwing: CloudError.transport(path: "/api/ws", reason: "cancelled"))
            }
            return .success(reply)
        } catch let error as CloudError {
            return .failure(error)
        } catch {
            return .failure(.transport(path: "/api/ws", reason: CloudError.transportReason(error)))
        }
    }

    /// The command a reply answers: by `sequence`; without one, the oldest command waiting for
    /// the reply's device.
    private func takePending(for reply: CloudReply) -> Pending? {
        state.withLock { s -> Pending? in
            if let sequence = reply.sequence, let p = s.pending.removeValue(forKey: sequence) { return p }
            guard reply.sequence == nil, !reply.deviceID.isEmpty,
                  let oldest = s.pending.filter({ $0.value.deviceID == reply.deviceID }).min(by: { $0.value.order < $1.value.order })
            else { return nil }
            return s.pending.removeValue(forKey: oldest.key)
        }
    }

    // MARK: Connection

    /// The `userOnline` handshake (version 8).
    func handshake(_ session: CloudSession, sequence: String) -> JSONObject {
        ["action": "userOnline", "at": .string(session.at), "apikey": .string(session.apikey),
         "appid": .string(client.credentials.appID), "nonce": .string(CloudSignature.nonce()),
         "ts": .int(Int(Date().timeIntervalSince1970)), "userAgent": "app", "sequence": .string(sequence), "version": 8]
    }

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
        let pending = state.withLock { s -> [Pending] in
            s.connected = false
            s.outgoing = nil
            defer { s.pending = [:] }
            return Array(s.pending.values)
        }
        for waiting in pending {
            waiting.continuation.resume(throwing: CloudError.transport(path: "/api/ws", reason: "the cloud connection dropped (\(reason)); the command may not have been delivered"))
        }
    }

    /// One session, from dispatch to close; returns why it ended. A session that never came up
    /// also leaves its failure in `lastFailure`.
    private func connectOnce() async -> String {
        guard let session = client.session else {
            noteFailure(.notLoggedIn)
            return CloudError.notLoggedIn.description
        }
        let url: String
        do { url = try await client.webSocketURL() } catch {
            noteFailure(error)
            return error.description
        }
        var logger = Logger(label: "ewelink-cloud-socket")
        logger.logLevel = .critical
        let (outgoing, outgoingSink) = AsyncStream.makeStream(of: String.self)
        let handshakeSequence = SequenceGenerator.shared.nextString()
        let hello = handshake(session, sequence: handshakeSequence)
        let outcome = Mutex<String>("closed by the server")
        do {
            // One limit for frames and whole messages (the library's default frame limit is 16 KB).
            try await CloudSocketConnection.run(url: url, transport: client.transport, maxFrameSize: CloudSocketMessage.maxBytes,
                                                logger: logger) { [self] inbound, outbound in
                try await outbound.write(.text(hello.serialized))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in outgoing { try await outbound.write(.text(text)) }
                    }
                    for try await message in inbound.messages(maxSize: CloudSocketMessage.maxBytes) {
                        guard case .text(let text) = message,
                              let parsed = try? CloudSocketMessage.parse(text) else { continue }
                        // The first reply answers the handshake (no command is sent before it; its
                        // `sequence` should echo ours, but the session does not depend on that).
                        if case .reply(let reply, let config) = parsed, !isConnected {
                            guard reply.error == 0 else {
                                outcome.withLock { $0 = "userOnline refused: error \(reply.error)" }
                                break
                            }
                            let beat = config ?? .documentedDefault
                            if beat.enabled {
                                // A child of this session: it ends with it.
                                group.addTask {
                                    while !Task.isCancelled {
                                        try? await Task.sleep(for: beat.pingEvery)
                                        if Task.isCancelled { break }
                                        outgoingSink.yield("ping")
                                    }
                                }
                            }
                            let waiting = state.withLock { s -> [CheckedContinuation<CloudError?, Never>] in
                                s.connected = true
                                s.lastFailure = nil
                                s.outgoing = outgoingSink
                                s.connects += 1
                                defer { s.connectWaiters = [:] }
                                return Array(s.connectWaiters.values)
                            }
                            for waiter in waiting { waiter.resume(returning: nil) }
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
            // Stopped while connecting: no failure of the cloud's.
            if Task.isCancelled { return "stopped" }
            let failure = await CloudError.connectionFailure(error, path: "/api/ws", url: url, transport: client.transport)
            if !isConnected { noteFailure(failure) }
            return failure.description
        }
        return outcome.withLock { $0 }
    }

    private func handle(_ message: CloudSocketMessage) {
        switch message {
        case .update(let id, let params): emit(.update(deviceID: id, params: params))
        case .presence(let id, let online): emit(.online(deviceID: id, online))
        case .reply(let reply, _):
            takePending(for: reply)?.continuation.resume(returning: reply)
        case .pong, .other:
            break  // heartbeats; reportSubDevice, notify…: not needed here
        }
    }
}
