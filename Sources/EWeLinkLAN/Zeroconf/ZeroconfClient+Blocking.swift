#if canImport(Glibc)
import Glibc
#endif

extension ZeroconfClient {
    /// Whether ``sendBlocking(_:_:to:timeout:reportingTimeoutAs:)`` can reach `target`: its host
    /// is an IPv4 or IPv6 address literal (host names need the event-loop path's resolver).
    public static func canSendBlocking(to target: LANTarget) -> Bool {
        ZeroconfTransport.isAddressLiteral(target.host)
    }

    /// ``send(_:_:to:timeout:sequence:onWire:proceed:)`` on the calling thread: the same request,
    /// checks and errors, over a blocking exchange (a non-blocking socket and `poll`), with no
    /// event loop, no task and no thread. For one-shot processes, whose start-up would otherwise
    /// cost more than the exchange. It does not queue behind other requests of this client: the
    /// caller is the only one. Connection resets are retried as `send` retries them.
    ///
    /// - Parameters:
    ///   - endpoint: The zeroconf endpoint (`switch`, `switches`, `info`, …).
    ///   - params: The command's parameters.
    ///   - target: The device, at an address literal.
    ///   - timeout: The longest wait for the reply, retries included.
    ///   - reportingTimeoutAs: The limit a timeout reports, when it is a longer one that `timeout`
    ///     was cut to (the command's own deadline); `timeout` when nil.
    /// - Throws: `LANError`, as `send` does.
    public func sendBlocking(_ endpoint: String, _ params: JSONObject, to target: LANTarget, timeout: Duration,
                             reportingTimeoutAs: Duration? = nil) throws(LANError) -> LANReply {
        let reply = try exchangeBlocking(endpoint, params, to: target, timeout: timeout,
                                         reportedMs: (reportingTimeoutAs ?? timeout).wholeMilliseconds, quiet: false)
        if reply.response.error != 0 { throw .lanError(code: reply.response.error, deviceID: target.deviceID) }
        return reply
    }

    /// ``learn(_:timeout:)`` on the calling thread (see ``sendBlocking(_:_:to:timeout:reportingTimeoutAs:)``):
    /// the device's `info`, and with a key the proof that the address is the device.
    ///
    /// - Parameters:
    ///   - target: The device, at an address literal.
    ///   - timeout: The longest wait for the reply.
    ///   - reportingTimeoutAs: The limit a timeout reports; `timeout` when nil.
    /// - Throws: `LANError`, as `learn` does.
    public func learnBlocking(_ target: LANTarget, timeout: Duration,
                              reportingTimeoutAs: Duration? = nil) throws(LANError) -> LearntDevice {
        let answer: Result<LANReply, LANError>
        do throws(LANError) {
            let reply = try exchangeBlocking("info", [:], to: target, timeout: timeout,
                                             reportedMs: (reportingTimeoutAs ?? timeout).wholeMilliseconds, quiet: true)
            if reply.response.error != 0 { throw LANError.lanError(code: reply.response.error, deviceID: target.deviceID) }
            answer = .success(reply)
        } catch {
            answer = .failure(error)
        }
        return try Self.learnt(from: answer, target: target)
    }

    private func exchangeBlocking(_ endpoint: String, _ params: JSONObject, to target: LANTarget, timeout: Duration,
                                  reportedMs: Int, quiet: Bool) throws(LANError) -> LANReply {
        let sequence = SequenceGenerator.shared.nextString()
        let (request, cipher) = try Self.prepare(endpoint, params, to: target, sequence: sequence)
        let started = ContinuousClock.now
        let deadline = started + timeout
        guard timeout > .zero else { throw .lanTimeout(host: target.host, port: target.port, afterMs: reportedMs) }
        var resets = 0
        while true {
            let body: [UInt8]
            do {
                let reply = try ZeroconfTransport.postBlocking(host: target.host, port: target.port,
                                                               path: LANProtocol.path(endpoint), body: request.body,
                                                               deadline: deadline)
                guard reply.status == 200 else {
                    throw LANError.invalidReply(host: target.host, port: target.port, reason: "HTTP status \(reply.status)")
                }
                body = reply.body
            } catch let error as LANError {
                throw error
            } catch {
                switch Self.classify(error, target: target, timeoutMs: reportedMs) {
                case .lanReset(let h, let p, _):
                    resets += 1
                    guard resets <= options.resetRetries, ContinuousClock.now + options.resetPause < deadline else {
                        throw .lanReset(host: h, port: p, attempts: resets)
                    }
                    Self.pause(options.resetPause)
                    continue
                case let other:
                    throw other
                }
            }
            return try decode(body, target: target, cipher: cipher, sequence: sequence, started: started, resets: resets,
                              quiet: quiet)
        }
    }

    private static func pause(_ duration: Duration) {
        let ns = duration.nanosecondsAtLeastOneMillisecond
        var request = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
        var left = timespec()
        while nanosleep(&request, &left) != 0 && errno == EINTR { request = left }
    }
}
