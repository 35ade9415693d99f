#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOPosix
import Synchronization

/// Where and how to reach one device on the LAN.
public struct LANTarget: Sendable, Equatable {
    /// The eWeLink device id; encrypted requests name it, and a reply must be for it.
    public var deviceID: String
    /// The device's IPv4 address or host name.
    public var host: String
    /// The zeroconf HTTP port (8081 on real firmware).
    public var port: Int
    /// nil: a DIY device (plain envelopes).
    public var devicekey: String?

    /// Device `deviceID` at `host:port`; `devicekey` nil for a DIY device.
    public init(deviceID: String, host: String, port: Int = LANProtocol.port, devicekey: String?) {
        self.deviceID = deviceID
        self.host = host
        self.port = port
        self.devicekey = devicekey
    }
}

/// A device's answer to one command.
public struct LANReply: Sendable {
    /// Where the command went.
    public var target: LANTarget
    /// The decoded reply envelope (error code, sequence, IV).
    package var response: ZeroconfResponse
    /// The state the device attached (decrypted), if any.
    public var state: JSONObject?
    /// From the moment the request's turn came (retries after resets included) to the reply.
    public var elapsed: Duration
    /// Connection resets retried before the answer.
    public var resets: Int
}

/// A state revision learnt over the LAN (mDNS TXT or an HTTP reply), for the event path.
public struct LANUpdate: Sendable, Equatable {
    /// How the revision arrived.
    public enum Source: String, Sendable {
        /// The device's mDNS announcement (TXT record).
        case mdns
        /// The device's reply to one of our commands.
        case http
    }
    /// The device the revision is of.
    public var deviceID: String
    /// The revision number, when the device gave one.
    public var seq: Int?
    /// The state, decrypted; nil when it could not be read.
    public var state: JSONObject?
    /// Whether it came from an announcement or from the reply to our command.
    public var source: Source
    /// The address it came from.
    public var host: String
    /// The port it came from.
    public var port: Int
}

/// Sends zeroconf commands (`POST /zeroconf/<endpoint>`) over HTTP, one request in flight per
/// device, retrying connection resets (the firmware serves one connection at a time).
public final class ZeroconfClient: Sendable {
    /// How patient the client is with slow and resetting devices.
    public struct Options: Sendable {
        /// Reply timeout. Newer firmware needs about 1.1 s; 3 s is the default ceiling.
        public var timeout: Duration = .seconds(3)
        /// How many connection resets a request is retried after (the firmware serves one connection at a time).
        public var resetRetries = 5
        /// The pause before each retry after a reset.
        public var resetPause: Duration = .milliseconds(100)
        /// The defaults: 3 s timeout, 5 retries after resets, 100 ms apart.
        public init() {}
    }

    let options: Options
    private let queues = Mutex<[String: DeviceQueue]>([:])
    private let observers = Mutex<Observers>(Observers())

    /// A client with its own per-device queues; share one across a process, so that one device never sees two requests at once.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Whether the device's port accepts a TCP connection within `timeout` (nothing is sent).
    public static func isListening(host: String, port: Int, timeout: Duration) async -> Bool {
        await ZeroconfTransport.canConnect(host: host, port: port, timeout: timeout)
    }

    /// Hears every seq/state a reply carries, until `removeObserver` is called with the returned
    /// token (an event stream removes its own when it stops) or, when `owner` is given, until
    /// `owner` is gone.
    @discardableResult
    public func onUpdate(owner: (any AnyObject & Sendable)? = nil,
                         _ observer: @escaping @Sendable (LANUpdate) -> Void) -> UpdateObserverToken {
        observers.withLock { o in
            o.next += 1
            o.list.append(Observer(id: o.next, owned: owner != nil, owner: owner, call: observer))
            o.prune()
            return UpdateObserverToken(id: o.next)
        }
    }

    /// Stops calling the observer `token` was returned for (nothing happens when it is gone already).
    public func removeObserver(_ token: UpdateObserverToken) {
        observers.withLock { o in o.list.removeAll { $0.id == token.id } }
    }

    /// How many `onUpdate` observers are registered (what a long-running process holds).
    package var observerCount: Int {
        observers.withLock { o in
            o.prune()
            return o.list.count
        }
    }

    /// Sends `params` to `endpoint` of `target`. A device error code is thrown as `.lanError`; an
    /// endpoint not of the protocol's form (`ZeroconfEndpoint`) as `.invalidEndpoint`, unsent.
    /// `onWire` is called when the request's turn comes (after earlier requests to the same device);
    /// `proceed`, when given, is asked then and before every retry: false drops the request
    /// (`.superseded`).
    public func send(_ endpoint: String, _ params: JSONObject, to target: LANTarget,
                     timeout: Duration? = nil, sequence: String? = nil,
                     onWire: (@Sendable () -> Void)? = nil,
                     proceed: (@Sendable () -> Bool)? = nil) async throws(LANError) -> LANReply {
        let reply = try await exchange(endpoint, params, to: target, timeout: timeout ?? options.timeout,
                                       sequence: sequence ?? SequenceGenerator.shared.nextString(), onWire: onWire,
                                       proceed: proceed)
        if reply.response.error != 0 { throw .lanError(code: reply.response.error, deviceID: target.deviceID) }
        return reply
    }

    /// Like `send`, but the reply is not passed to the `onUpdate` observers: a check of who
    /// answers at an address, not news about the device.
    public func check(_ endpoint: String, _ params: JSONObject, to target: LANTarget,
                      timeout: Duration? = nil) async throws(LANError) -> LANReply {
        let reply = try await exchange(endpoint, params, to: target, timeout: timeout ?? options.timeout,
                                       sequence: SequenceGenerator.shared.nextString(), onWire: nil, proceed: nil,
                                       quiet: true)
        if reply.response.error != 0 { throw .lanError(code: reply.response.error, deviceID: target.deviceID) }
        return reply
    }

    /// Like `send`, but returns replies with a device error code instead of throwing.
    public func exchange(_ endpoint: String, _ params: JSONObject, to target: LANTarget, timeout: Duration,
                         sequence: String, onWire: (@Sendable () -> Void)? = nil,
                         proceed: (@Sendable () -> Bool)? = nil) async throws(LANError) -> LANReply {
        try await exchange(endpoint, params, to: target, timeout: timeout, sequence: sequence, onWire: onWire,
                           proceed: proceed, quiet: false)
    }

    private func exchange(_ endpoint: String, _ params: JSONObject, to target: LANTarget, timeout: Duration,
                          sequence: String, onWire: (@Sendable () -> Void)?, proceed: (@Sendable () -> Bool)?,
                          quiet: Bool) async throws(LANError) -> LANReply {
        let (request, cipher) = try Self.prepare(endpoint, params, to: target, sequence: sequence)
        let queue = queue(for: target)
        // A caller that stops waiting (a hub request past its limit) gives up its place in the
        // queue at once, rather than holding it until the device answers the ones before it.
        guard await queue.acquire() else { throw .cancelled(deviceID: target.deviceID) }
        onWire?()
        do {
            let reply = try await attempt(endpoint, request.body, to: target, cipher: cipher, sequence: sequence,
                                          timeout: timeout, proceed: proceed, quiet: quiet)
            queue.release()
            return reply
        } catch {
            queue.release()
            throw error
        }
    }

    /// The request's envelope (encrypted with the target's key, plain without one) and the cipher
    /// that reads the reply.
    static func prepare(_ endpoint: String, _ params: JSONObject, to target: LANTarget,
                        sequence: String) throws(LANError) -> (ZeroconfRequest, DeviceCipher?) {
        // The name goes into the request line: never anything but the protocol's form.
        guard ZeroconfEndpoint.isValid(endpoint) else { throw .invalidEndpoint(endpoint) }
        let cipher = target.devicekey.map { DeviceCipher(devicekey: $0) }
        if let cipher {
            do { return (try ZeroconfRequest.encrypted(params, deviceID: target.deviceID, cipher: cipher, sequence: sequence), cipher) }
            catch { throw .transport(host: target.host, port: target.port, reason: error.description) }
        }
        return (ZeroconfRequest.plain(params, deviceID: target.deviceID, sequence: sequence), nil)
    }

    /// One command, retrying connection resets with a short pause while time remains.
    private func attempt(_ endpoint: String, _ body: [UInt8], to target: LANTarget, cipher: DeviceCipher?,
                         sequence: String, timeout: Duration, proceed: (@Sendable () -> Bool)?,
                         quiet: Bool) async throws(LANError) -> LANReply {
        let started = ContinuousClock.now
        // The command's deadline (`LANDeadline`) bounds this request too; a timeout reports the
        // bound that was hit.
        var timeout = timeout
        var reportedMs = timeout.wholeMilliseconds
        if let deadline = LANDeadline.current, deadline.end < started + timeout {
            timeout = max(.zero, deadline.end - started)
            reportedMs = deadline.limit.wholeMilliseconds
        }
        guard timeout > .zero else { throw .lanTimeout(host: target.host, port: target.port, afterMs: reportedMs) }
        var resets = 0
        while true {
            if let proceed, !proceed() { throw .superseded(deviceID: target.deviceID) }
            do {
                let reply = try await post(endpoint, body, to: target, deadline: started + timeout)
                return try decode(reply, target: target, cipher: cipher, sequence: sequence, started: started,
                                  resets: resets, quiet: quiet)
            } catch .lanTimeout(let h, let p, _) {
                throw .lanTimeout(host: h, port: p, afterMs: reportedMs)
            } catch .lanReset(let h, let p, _) {
                resets += 1
                guard resets <= options.resetRetries,
                      ContinuousClock.now + options.resetPause < started + timeout else {
                    throw .lanReset(host: h, port: p, attempts: resets)
                }
                try? await Task.sleep(for: options.resetPause)
            }
        }
    }

    func decode(_ body: [UInt8], target: LANTarget, cipher: DeviceCipher?, sequence: String,
                        started: ContinuousClock.Instant, resets: Int, quiet: Bool) throws(LANError) -> LANReply {
        let response: ZeroconfResponse
        do { response = try ZeroconfResponse.parse(body) } catch {
            throw .invalidReply(host: target.host, port: target.port, reason: error.description)
        }
        if cipher != nil, response.error == 0 {
            try Self.checkEncryptedSuccess(response, sequence: sequence, target: target)
        }
        var state: JSONObject? = nil
        if response.payload != nil {
            if cipher == nil, case .encrypted? = response.payload { throw .deviceKeyMissing(deviceID: target.deviceID) }
            do { state = try response.state(cipher: cipher) } catch {
                throw .decryptionFailed(deviceID: target.deviceID, reason: error.description)
            }
        }
        let reply = LANReply(target: target, response: response, state: state, elapsed: ContinuousClock.now - started,
                             resets: resets)
        if response.error == 0, !quiet {
            let update = LANUpdate(deviceID: target.deviceID, seq: response.seq, state: state, source: .http,
                                   host: target.host, port: target.port)
            for call in observers.withLock({ $0.calls() }) { call(update) }
        }
        return reply
    }

    /// Anyone can answer `{"error":0}`: a success from a device with a key must look like its firmware's
    /// (it echoes the request's `sequence` and gives its `seq`), and state it attaches must be
    /// encrypted, since only the device can encrypt with its key.
    static func checkEncryptedSuccess(_ response: ZeroconfResponse, sequence: String,
                                      target: LANTarget) throws(LANError) {
        switch response.payload {
        case .object?, .jsonString?:
            throw .invalidReply(host: target.host, port: target.port,
                                reason: "plain data in a reply for a device with a devicekey: not the device")
        default: break
        }
        guard response.sequence == sequence, response.seq != nil else {
            throw .invalidReply(host: target.host, port: target.port,
                                reason: "a success that does not echo the request's sequence and seq: not the device")
        }
    }

    private func post(_ endpoint: String, _ body: [UInt8], to target: LANTarget,
                      deadline: ContinuousClock.Instant) async throws(LANError) -> [UInt8] {
        let remaining = deadline - ContinuousClock.now
        let timeoutMs = remaining.wholeMilliseconds
        do {
            let reply = try await ZeroconfTransport.post(host: target.host, port: target.port,
                                                         path: LANProtocol.path(endpoint), body: body, timeout: remaining)
            guard reply.status == 200 else {
                throw LANError.invalidReply(host: target.host, port: target.port, reason: "HTTP status \(reply.status)")
            }
            return reply.body
        } catch let error as LANError {
            throw error
        } catch {
            throw Self.classify(error, target: target, timeoutMs: timeoutMs)
        }
    }

    /// Maps transport and NIO errors onto what happened on the wire: by type, and for system
    /// errors by their errno (never by the wording of a message, which NIO may change).
    static func classify(_ error: any Error, target: LANTarget, timeoutMs: Int) -> LANError {
        if let e = error as? ZeroconfTransport.Failure {
            switch e {
            case .timedOut: return .lanTimeout(host: target.host, port: target.port, afterMs: timeoutMs)
            case .closedEarly: return .lanReset(host: target.host, port: target.port, attempts: 1)
            case .malformedReply(let why): return .invalidReply(host: target.host, port: target.port, reason: why)
            case .tooLarge(let part, let limit):
                return .replyTooLarge(host: target.host, port: target.port, part: part.rawValue, limitBytes: limit)
            case .system(let code): return classify(errno: code, target: target, timeoutMs: timeoutMs)
            }
        }
        if let code = systemErrno(of: error) { return classify(errno: code, target: target, timeoutMs: timeoutMs) }
        if let e = error as? ChannelError {
            switch e {
            case .connectTimeout: return .lanTimeout(host: target.host, port: target.port, afterMs: timeoutMs)
            case .eof, .ioOnClosedChannel, .outputClosed, .inputClosed, .alreadyClosed:
                return .lanReset(host: target.host, port: target.port, attempts: 1)
            default: break
            }
        }
        return .transport(host: target.host, port: target.port, reason: String(describing: error))
    }

    /// What a failed system call means on the wire.
    static func classify(errno code: Int32, target: LANTarget, timeoutMs: Int) -> LANError {
        switch code {
        case ECONNREFUSED: return .lanRefused(host: target.host, port: target.port)
        case ECONNRESET, EPIPE, ECONNABORTED: return .lanReset(host: target.host, port: target.port, attempts: 1)
        case ETIMEDOUT: return .lanTimeout(host: target.host, port: target.port, afterMs: timeoutMs)
        default:
            // EHOSTUNREACH, ENETUNREACH, …: the LAN cannot reach the device; said in the system's words.
            return .transport(host: target.host, port: target.port, reason: String(cString: strerror(code)))
        }
    }

    /// The errno under a system error: an `IOError`, or the first connection attempt's error that
    /// carries one in a `NIOConnectionError` (NIO tries each resolved address in turn).
    static func systemErrno(of error: any Error) -> Int32? {
        if let e = error as? IOError { return e.errnoCode }
        if let e = error as? NIOConnectionError {
            for attempt in e.connectionErrors {
                if let code = systemErrno(of: attempt.error) { return code }
            }
        }
        return nil
    }

    private func queue(for target: LANTarget) -> DeviceQueue {
        queues.withLock { q in
            let key = "\(target.host):\(target.port)"
            if let existing = q[key] { return existing }
            let created = DeviceQueue()
            q[key] = created
            return created
        }
    }
}

/// A FIFO async lock: one request in flight per device. Taking a free lock does not suspend; a
/// waiter whose task is cancelled leaves the queue at once.
final class DeviceQueue: Sendable {
    private struct State {
        var busy = false
        var nextTicket = 0
        /// Tickets waiting for their turn, in order of arrival, with their continuations.
        var waiters: [(ticket: Int, continuation: CheckedContinuation<Bool, Never>)] = []
        /// Tickets handed out and not yet granted or given up.
        var open: Set<Int> = []
        /// Tickets cancelled before their continuation was stored.
        var cancelled: Set<Int> = []
    }
    private let state = Mutex(State())

    /// Waits for the device's turn: true once it is this caller's (call `release` after), false
    /// when the task was cancelled first (nothing to release).
    func acquire() async -> Bool {
        let ticket = state.withLock { s -> Int? in
            if !s.busy {
                s.busy = true
                return nil
            }
            s.nextTicket += 1
            s.open.insert(s.nextTicket)
            return s.nextTicket
        }
        guard let ticket else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now = state.withLock { s -> Bool? in
                    if s.cancelled.remove(ticket) != nil { return false }
                    // Released between the two looks: take it now.
                    if !s.busy {
                        s.busy = true
                        s.open.remove(ticket)
                        return true
                    }
                    s.waiters.append((ticket, continuation))
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiting = state.withLock { s -> CheckedContinuation<Bool, Never>? in
                guard s.open.remove(ticket) != nil else { return nil }  // granted already
                if let i = s.waiters.firstIndex(where: { $0.ticket == ticket }) { return s.waiters.remove(at: i).continuation }
                s.cancelled.insert(ticket)
                return nil
            }
            waiting?.resume(returning: false)
        }
    }

    func release() {
        let next = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            if s.waiters.isEmpty { s.busy = false; return nil }
            let first = s.waiters.removeFirst()
            s.open.remove(first.ticket)
            return first.continuation
        }
        next?.resume(returning: true)
    }

    /// Callers waiting for their turn.
    var waiting: Int { state.withLock { $0.waiters.count } }
}

/// Names one `ZeroconfClient.onUpdate` observer, for `ZeroconfClient.removeObserver`.
public struct UpdateObserverToken: Sendable, Hashable {
    let id: Int
}

/// The observers of one client, in the order they were added.
private struct Observers {
    var next = 0
    var list: [Observer] = []

    /// Drops the observers whose owner is gone.
    mutating func prune() { list.removeAll { $0.owned && $0.owner == nil } }

    /// The observers to call now (after dropping those whose owner is gone).
    mutating func calls() -> [@Sendable (LANUpdate) -> Void] {
        prune()
        return list.map(\.call)
    }
}

/// One observer, and the object it lives as long as (when it has one).
private struct Observer {
    let id: Int
    let owned: Bool
    weak var owner: (any AnyObject & Sendable)?
    let call: @Sendable (LANUpdate) -> Void
}
