import EWeLinkLAN

/// Where the event-loop path takes over from the blocking path (`EWeLinkClient+Blocking`) after
/// its LAN attempt failed in a way that lets another route try: the cloud at once when the policy
/// and the session allow it (the LAN was tried already, and a second wait for it would only delay
/// the fallback), else one more LAN try where mDNS says the device is now.
extension Router {
    /// on / off / toggle after the blocking path's LAN attempt failed with `failure`; `params`
    /// are the wire params it had resolved (a toggle's absolute state), nil when it failed first.
    package func power(_ action: PowerAction, _ query: String, channel: Int?, via: RoutePolicy?,
                       afterLAN failure: ControlError, params: JSONObject?,
                       started: ContinuousClock.Instant) async throws(ControlError) -> CommandResult {
        let stored = try await lan.device(query)
        let cloudMayTry = (via ?? stored.policy) == .auto && canUseCloud(stored)
        var lanFailure = failure
        if case .lan(let e) = failure, case .addressUnproven = e {
            // Nothing was sent to the address that failed the proof: the other claimants may prove
            // themselves (a toggle's state comes from the proof, so without params it starts over).
            guard let params else { return try await power(action, query, channel: channel, via: via) }
            do {
                return try await lan.sendElsewhere(after: e, params, to: stored, started: started,
                                                   timeout: options.lanTimeoutCeiling).naming(stored)
            } catch {
                guard cloudMayTry else { throw error }
                lanFailure = error
            }
        } else if !cloudMayTry, case .lan(let e) = failure, let params {
            return try await lan.sendElsewhere(after: e, params, to: stored, started: started,
                                               timeout: options.lanTimeoutCeiling).naming(stored)
        }
        guard cloudMayTry, Self.shouldFallBack(lanFailure) || Self.isStateUnknown(lanFailure) else { throw lanFailure }
        var device = stored
        let wire: JSONObject
        if let params { wire = params } else { (device, wire) = try await cloudPowerParams(action, device: device, channel: channel) }
        do { return try await viaCloud(wire, device: device, started: started).naming(device) } catch {
            throw .cloud(error, lan: lanFailure.description)
        }
    }

    /// The state after the blocking path's `info` failed with `failure`: the cloud's when the
    /// policy and the session allow it, else the event-loop path's own look (an announcement may
    /// still tell).
    package func state(of query: String, via: RoutePolicy?, afterLAN failure: ControlError,
                       started: ContinuousClock.Instant) async throws(ControlError) -> StateResult {
        let device = try await lan.device(query)
        guard (via ?? device.policy) == .auto, canUseCloud(device),
              Self.shouldFallBack(failure) || Self.isStateUnknown(failure) else {
            return try await state(of: query, via: via)
        }
        do {
            let (state, route) = try await cloudState(device)
            return StateResult(deviceID: device.id, route: route, source: .cloud, state: state, seq: nil, host: nil,
                               port: nil, elapsed: ContinuousClock.now - started, type: device.type, name: device.name)
        } catch {
            throw .cloud(error, lan: failure.description)
        }
    }
}
