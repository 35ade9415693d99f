import EWeLinkLAN

/// What the blocking mode of ``EWeLinkClient`` made of a call.
public enum BlockingOutcome<Value: Sendable>: Sendable {
    /// Done over the LAN, on the calling thread.
    case done(Value)
    /// Failed for good: the asynchronous call would have failed the same way (the device
    /// answered with an error code, the request was invalid, the device is unknown).
    case failed(ControlError)
    /// The blocking mode cannot finish it (it needs mDNS, the cloud, or another try): continue
    /// with the asynchronous call that takes the hand-over.
    case handOver(BlockingHandOver)
}

/// Where the blocking mode stopped, for the asynchronous call that continues the work
/// (``EWeLinkClient/power(_:_:channel:via:continuing:)``, ``EWeLinkClient/state(of:via:continuing:)``).
public struct BlockingHandOver: Sendable {
    /// Why the blocking mode stopped, for logs: "policy is cloud", "the LAN timed out", ….
    public let reason: String
    /// The LAN attempt's failure, when one was made: the continuation does not wait for the LAN
    /// again before the cloud.
    package let lanFailure: ControlError?
    /// The wire params already resolved (a toggle's absolute state).
    package let params: JSONObject?
    /// When the call began, so the result's `elapsed` covers both parts.
    package let started: ContinuousClock.Instant
}

/// The blocking mode: the same operations on the calling thread, for one-shot programs (a
/// command-line tool, a script's helper) whose start-up would otherwise cost more than the work.
///
/// A device the store can reach directly (an address literal that proved itself before, or proves
/// itself now with the device's key) is switched or read with a blocking exchange: no event loop,
/// no task, no thread. Everything else — a device to find over mDNS, the cloud, a LAN that failed
/// or is marked down, a DIY device's rivals — is handed over (``BlockingOutcome/handOver(_:)``)
/// to the asynchronous call, which continues without repeating what was done. The calls block
/// the calling thread for up to the LAN timeout: make them from a program's main thread (or a
/// thread of its own), not from a task on Swift concurrency's few shared threads, where they would
/// hold back other tasks of the process. Unlike the
/// asynchronous call, the blocking mode does not hedge a slow LAN through the cloud: it waits for
/// the device's learnt timeout.
///
/// ```swift
/// let client = EWeLinkClient(configuration: configuration)
/// switch client.powerBlocking(.on, "kitchen") {
/// case .done(let result): print(result.route)
/// case .failed(let error): print(error)
/// case .handOver(let handOver):
///     Task { print(try await client.power(.on, "kitchen", continuing: handOver).route) }
/// }
/// ```
extension EWeLinkClient {
    /// on, off or toggle in the blocking mode; see ``power(_:_:channel:via:)``.
    ///
    /// - Parameters:
    ///   - action: on, off or toggle.
    ///   - device: Its id or stored name.
    ///   - channel: An outlet from 0; every channel when nil.
    ///   - via: A route for this command only; the device's stored policy when nil.
    /// - Returns: The result, a failure for good, or the hand-over to
    ///   ``power(_:_:channel:via:continuing:)``.
    public func powerBlocking(_ action: PowerAction, _ device: DeviceReference, channel: Int? = nil,
                              via: RoutePolicy? = nil) -> BlockingOutcome<CommandResult> {
        let started = ContinuousClock.now
        let stored: StoredDevice
        switch blockingDevice(device, via: via, started: started) {
        case .success(let found): stored = found
        case .failure(let stop): return stop.outcome()
        }
        var current = stored
        let budget = blockingBudget(for: stored, via: via, started: started)
        let shapeUnknown = current.type == nil && current.lastState == nil && current.channels == nil
        do throws(ControlError) {
            if action == .toggle || shapeUnknown {
                try lan.askBlocking(&current, timeout: budget.timeout(), reportingTimeoutAs: budget.reported)
            }
        } catch {
            return Self.handOverOrFail(error, params: nil, started: started)
        }
        let params: JSONObject
        do { params = try CommandShape.power(action, device: current, channel: channel) } catch {
            // The device's own answer could not tell the state a toggle needs: the cloud may.
            if case .stateUnknown = error { return Self.handOverOrFail(error, params: nil, started: started) }
            return .failed(error)
        }
        do {
            let result = try lan.sendBlocking(params, to: current, started: started, timeout: budget.timeout(),
                                              reportingTimeoutAs: budget.reported)
            return .done(result.naming(current))
        } catch {
            return Self.handOverOrFail(error, params: params, started: started)
        }
    }

    /// The device's state in the blocking mode, from its own `info` answer; see ``state(of:via:)``
    /// (which may also read it from the device's latest mDNS announcement).
    ///
    /// - Parameters:
    ///   - device: Its id or stored name.
    ///   - via: A route for this call only; the device's stored policy when nil.
    /// - Returns: The state, a failure for good, or the hand-over to ``state(of:via:continuing:)``.
    public func stateBlocking(of device: DeviceReference, via: RoutePolicy? = nil) -> BlockingOutcome<StateResult> {
        let started = ContinuousClock.now
        let stored: StoredDevice
        switch blockingDevice(device, via: via, started: started) {
        case .success(let found): stored = found
        case .failure(let stop): return stop.outcome()
        }
        let budget = blockingBudget(for: stored, via: via, started: started)
        do {
            guard let result = try lan.stateBlocking(of: stored, started: started, timeout: budget.timeout(),
                                                     reportingTimeoutAs: budget.reported) else {
                return .handOver(BlockingHandOver(reason: "the device's answer carries no state", lanFailure: nil,
                                                  params: nil, started: started))
            }
            return .done(result.naming(stored))
        } catch {
            // Every other way of telling the state (announcements, sledonline, the cloud) is the
            // asynchronous call's.
            return .handOver(BlockingHandOver(reason: error.description, lanFailure: error, params: nil, started: started))
        }
    }

    /// Continues an on, off or toggle the blocking mode handed over; see ``power(_:_:channel:via:)``.
    ///
    /// - Parameters:
    ///   - action: on, off or toggle, as given to ``powerBlocking(_:_:channel:via:)``.
    ///   - device: Its id or stored name, as given there.
    ///   - channel: An outlet from 0; every channel when nil.
    ///   - via: A route for this command only; the device's stored policy when nil.
    ///   - handOver: What ``powerBlocking(_:_:channel:via:)`` returned.
    /// - Throws: The errors of ``power(_:_:channel:via:)``.
    @discardableResult
    public func power(_ action: PowerAction, _ device: DeviceReference, channel: Int? = nil, via: RoutePolicy? = nil,
                      continuing handOver: BlockingHandOver) async throws(ControlError) -> CommandResult {
        guard let failure = handOver.lanFailure else {
            return try await router.power(action, device.query, channel: channel, via: via)
        }
        return try await router.power(action, device.query, channel: channel, via: via, afterLAN: failure,
                                      params: handOver.params, started: handOver.started)
    }

    /// Continues a state read the blocking mode handed over; see ``state(of:via:)``.
    ///
    /// - Parameters:
    ///   - device: Its id or stored name, as given to ``stateBlocking(of:via:)``.
    ///   - via: A route for this call only; the device's stored policy when nil.
    ///   - handOver: What ``stateBlocking(of:via:)`` returned.
    /// - Throws: The errors of ``state(of:via:)``.
    public func state(of device: DeviceReference, via: RoutePolicy? = nil,
                      continuing handOver: BlockingHandOver) async throws(ControlError) -> StateResult {
        guard let failure = handOver.lanFailure else { return try await router.state(of: device.query, via: via) }
        return try await router.state(of: device.query, via: via, afterLAN: failure, started: handOver.started)
    }

    // MARK: Rules

    /// The stored device, when the blocking mode can serve it on this route.
    private func blockingDevice(_ device: DeviceReference, via: RoutePolicy?,
                                started: ContinuousClock.Instant) -> Result<StoredDevice, BlockingStop> {
        let stored: StoredDevice?
        do { stored = try lan.directory.storedID(device.query).flatMap { id throws(ControlError) in try lan.directory.stored(id) } } catch {
            return .failure(.failed(error))
        }
        func handOver(_ reason: String) -> Result<StoredDevice, BlockingStop> {
            .failure(.handOver(BlockingHandOver(reason: reason, lanFailure: nil, params: nil, started: started)))
        }
        // An id not in the store may be a DIY device mDNS finds.
        guard let stored else { return handOver("not in the store") }
        let policy = via ?? stored.policy
        if policy == .cloud { return handOver("the route is the cloud") }
        if policy == .auto, cloudCanTakeOver(stored), stored.lanHealth.isDown {
            return handOver("the LAN is marked down: a probe decides")
        }
        if let obstacle = lan.blockingObstacle(stored) { return handOver(obstacle) }
        return .success(stored)
    }

    /// How long the blocking mode waits for the LAN: the learnt timeout when the cloud can take
    /// over, the LAN ceiling otherwise, and never past the call's own limit.
    private func blockingBudget(for device: StoredDevice, via: RoutePolicy?, started: ContinuousClock.Instant) -> BlockingBudget {
        let ceiling = configuration.lanTimeout
        var wait = ceiling
        if (via ?? device.policy) == .auto, cloudCanTakeOver(device) {
            wait = device.lanHealth.timeout(floor: min(configuration.lanTimeoutFloor, ceiling), ceiling: ceiling)
        }
        return BlockingBudget(deadline: started + ceiling, wait: wait, ceiling: ceiling)
    }

    /// Whether the cloud can carry a command for `device` (`Router.canUseCloud`), asked without
    /// making the router: it would start a task for the cloud session's messages.
    private func cloudCanTakeOver(_ device: StoredDevice) -> Bool {
        cloud?.session != nil && device.apikey != nil
    }

    /// A LAN failure: for good when the device answered with an error code or the request is
    /// wrong (the asynchronous call would not try another route either), else handed over.
    private static func handOverOrFail<Value>(_ error: ControlError, params: JSONObject?,
                                              started: ContinuousClock.Instant) -> BlockingOutcome<Value> {
        switch error {
        case .lan(.lanError), .invalidRequest, .unknownDevice, .store: return .failed(error)
        // The address did not prove itself: the asynchronous call tries the other services the
        // avahi-daemon knows for the id (then the cloud).
        default:
            return .handOver(BlockingHandOver(reason: error.description, lanFailure: error, params: params, started: started))
        }
    }
}

/// Why the blocking mode stops before any request.
private enum BlockingStop: Error {
    case failed(ControlError)
    case handOver(BlockingHandOver)

    func outcome<Value>() -> BlockingOutcome<Value> {
        switch self {
        case .failed(let error): return .failed(error)
        case .handOver(let handOver): return .handOver(handOver)
        }
    }
}

/// The blocking mode's time: each request waits `wait`, cut to what is left before `deadline`.
private struct BlockingBudget {
    let deadline: ContinuousClock.Instant
    let wait: Duration
    let ceiling: Duration

    /// The next request's wait.
    func timeout() -> Duration { max(.milliseconds(1), min(wait, deadline - .now)) }

    /// The limit a timeout reports: the call's own when it cut the wait.
    var reported: Duration? { deadline - .now < wait ? ceiling : nil }
}
