import EWeLinkLAN

/// The LAN leg on the calling thread, for a device the store can reach directly: its address is
/// an address literal that proved itself before (or proves itself now, with the device's key), so
/// nothing needs mDNS. Everything else is the event-loop path's (`EWeLinkClient`'s blocking mode
/// hands it over). The same requests, checks, errors and store learning as `send` and `state`.
extension LANController {
    /// Why the blocking path cannot serve `device` (it needs mDNS or the cloud), or nil when it can.
    package func blockingObstacle(_ device: StoredDevice) -> String? {
        guard let host = device.host else { return "no known address" }
        guard ZeroconfClient.canSendBlocking(to: LANTarget(deviceID: device.id, host: host, devicekey: nil)) else {
            return "the address is a host name"
        }
        // Without a key nothing proves the address; the rivals of a DIY device are the daemon's to tell.
        if device.devicekey == nil, !options.trustAddress { return "a DIY device's address needs mDNS" }
        if device.addressUnconfirmed { return "an address from an announcement" }
        return nil
    }

    /// The device's `info` answer (the proof, with a key); a failure to reach it counts as a LAN
    /// failure, as in `send`.
    private func learnBlocking(_ device: StoredDevice, timeout: Duration,
                               reportingTimeoutAs: Duration?) throws(ControlError) -> LearntDevice {
        do {
            return try client.learnBlocking(target(device), timeout: timeout, reportingTimeoutAs: reportingTimeoutAs)
        } catch {
            if error.isUnreachable { noteFailure(device.id) }
            throw Self.controlError(error, for: device)
        }
    }

    /// Makes sure the stored address is the device's (the `info` proof on first contact, as
    /// `verifyAddress` does for the one candidate the store has); returns what that answer taught.
    package func proveBlocking(_ device: inout StoredDevice, timeout: Duration,
                               reportingTimeoutAs: Duration?) throws(ControlError) -> LearntDevice? {
        guard !device.addressVerified, !options.trustAddress, device.devicekey != nil else { return nil }
        let learnt = try learnBlocking(device, timeout: timeout, reportingTimeoutAs: reportingTimeoutAs)
        device.addressVerified = true
        return learnt
    }

    /// Asks the device for its `info` (its state and shape: what a toggle, or a device of unknown
    /// shape, needs), proving the address on the way; the device updated with the answer.
    package func askBlocking(_ device: inout StoredDevice, timeout: Duration, reportingTimeoutAs: Duration?) throws(ControlError) {
        let learnt = try learnBlocking(device, timeout: timeout, reportingTimeoutAs: reportingTimeoutAs)
        device.take(learnt)
        keep(learnt, of: device)
    }

    /// One command to a device `blockingObstacle` found nothing against; records the reply as
    /// `send` does (state, seq, reply time, the proven address).
    package func sendBlocking(_ params: JSONObject, to stored: StoredDevice, started: ContinuousClock.Instant,
                              timeout: Duration, reportingTimeoutAs: Duration?) throws(ControlError) -> CommandResult {
        guard let endpoint = CommandShape.endpoint(for: params, type: stored.type) else {
            throw .invalidRequest("empty params: nothing to send")
        }
        var device = stored
        _ = try proveBlocking(&device, timeout: timeout, reportingTimeoutAs: reportingTimeoutAs)
        let left = timeout - (ContinuousClock.now - started)
        let reply: LANReply
        do {
            reply = try client.sendBlocking(endpoint, params, to: target(device), timeout: max(left, .milliseconds(1)),
                                            reportingTimeoutAs: reportingTimeoutAs ?? timeout)
        } catch {
            if error.isUnreachable { noteFailure(device.id) }
            throw Self.controlError(error, for: device)
        }
        let state = reply.state ?? (device.lastState ?? [:]).applying(params)
        record(device, state: state, seq: reply.response.seq, addressChanged: device.addressVerified, replyTime: reply.elapsed)
        return CommandResult(deviceID: device.id, route: .lan, elapsed: ContinuousClock.now - started, state: state,
                             seq: reply.response.seq, type: device.type, name: device.name)
    }

    /// The device's state from its own `info` answer (the blocking path does not ask mDNS); nil
    /// when the answer carries none (the event-loop path has more ways to find it).
    package func stateBlocking(of stored: StoredDevice, started: ContinuousClock.Instant, timeout: Duration,
                               reportingTimeoutAs: Duration?) throws(ControlError) -> StateResult? {
        let learnt = try learnBlocking(stored, timeout: timeout, reportingTimeoutAs: reportingTimeoutAs)
        guard let state = learnt.state else { return nil }
        record(stored, state: state, seq: learnt.seq, addressChanged: stored.devicekey != nil)
        return StateResult(deviceID: stored.id, route: .lan, source: .http, state: state, seq: learnt.seq,
                           host: stored.host, port: stored.port, elapsed: ContinuousClock.now - started)
    }
}
