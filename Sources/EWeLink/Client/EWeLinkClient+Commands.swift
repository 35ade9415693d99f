import EWeLinkLAN

extension EWeLinkClient {
    // MARK: Devices

    /// The devices of the store: ids, names, keys, kinds, addresses, route policies.
    ///
    /// - Throws: `ControlError.store` when the store cannot be read.
    public func devices() throws(ControlError) -> [StoredDevice] {
        try lan.directory.devices()
    }

    /// The stored device `device` names, or (for an id not in the store) the one mDNS finds.
    ///
    /// - Throws: `ControlError.unknownDevice` when neither knows it.
    public func device(_ device: DeviceReference) async throws(ControlError) -> StoredDevice {
        try await lan.device(device.query)
    }

    // MARK: Switching

    /// Switches a device (or one channel of it) on: over the LAN when it answers there, else
    /// through the cloud. The result says which route served it and how long it took.
    ///
    /// - Parameters:
    ///   - device: Its id or stored name.
    ///   - channel: An outlet from 0 (a fan light's 0 is the light, 1 the fan); every channel when nil.
    ///   - via: A route for this command only; the device's stored policy when nil.
    /// - Throws: `ControlError`: unknown device, no key, unreachable on every allowed route,
    ///   refused by the device.
    @discardableResult
    public func turnOn(_ device: DeviceReference, channel: Int? = nil, via: RoutePolicy? = nil) async throws(ControlError) -> CommandResult {
        try await router.power(.on, device.query, channel: channel, via: via)
    }

    /// Switches a device (or one channel of it) off; see ``turnOn(_:channel:via:)``.
    @discardableResult
    public func turnOff(_ device: DeviceReference, channel: Int? = nil, via: RoutePolicy? = nil) async throws(ControlError) -> CommandResult {
        try await router.power(.off, device.query, channel: channel, via: via)
    }

    /// Switches a device (or one channel of it) to the opposite of its current state, read first
    /// from the LAN (else the cloud), so whichever route carries it the command means one thing;
    /// see ``turnOn(_:channel:via:)``.
    @discardableResult
    public func toggle(_ device: DeviceReference, channel: Int? = nil, via: RoutePolicy? = nil) async throws(ControlError) -> CommandResult {
        try await router.power(.toggle, device.query, channel: channel, via: via)
    }

    /// on, off or toggle by value (what a command line or an HTTP API receives).
    @discardableResult
    public func power(_ action: PowerAction, _ device: DeviceReference, channel: Int? = nil,
                      via: RoutePolicy? = nil) async throws(ControlError) -> CommandResult {
        try await router.power(action, device.query, channel: channel, via: via)
    }

    /// Sends raw parameters (`{"pulse":"on","pulseWidth":2000}`) by the same routes. The
    /// endpoint is the one the parameters name unless `endpoint` is given; an endpoint other than
    /// that one goes over the LAN only (the cloud sets parameters, it has no endpoints).
    ///
    /// - Throws: `ControlError.lan(.invalidEndpoint)` for an endpoint that is not of the
    ///   protocol's form (nothing is sent), and the errors of ``turnOn(_:channel:via:)``.
    @discardableResult
    public func send(_ parameters: JSONObject, to device: DeviceReference, endpoint: String? = nil,
                     via: RoutePolicy? = nil) async throws(ControlError) -> CommandResult {
        try await router.send(parameters, to: device.query, endpoint: endpoint, via: via)
    }

    /// The device's current state: its latest announcement, or its answer on the LAN, else the
    /// cloud's, typed.
    public func state(of device: DeviceReference, via: RoutePolicy? = nil) async throws(ControlError) -> StateResult {
        try await router.state(of: device.query, via: via)
    }

    /// What the client knows of the device's routes: its policy, the LAN's health and learnt
    /// wait, the cloud's word on it being online, and the cloud session.
    public func reachability(of device: DeviceReference) async throws(ControlError) -> Reachability {
        try await router.reachability(of: device.query)
    }

    // MARK: Discovery

    /// The devices announced on the LAN (mDNS), with their stored names and states (decrypted
    /// with the stored keys), once the avahi-daemon has resolved every service it knows of or
    /// `timeout` has passed.
    ///
    /// - Throws: `ControlError.mdns` when the avahi-daemon cannot be reached.
    public func discover(timeout: Duration = .seconds(3)) async throws(ControlError) -> LANSurvey {
        let report = try await lan.survey(timeout: timeout)
        let stored = Dictionary(((try? lan.directory.devices()) ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return LANSurvey(devices: report.devices.map { LANDevice($0, stored: stored[$0.id]) }, rejected: report.rejected,
                         complete: report.complete)
    }
}

/// What a look at the LAN found.
public struct LANSurvey: Sendable {
    /// The devices announced, with names and states.
    public var devices: [LANDevice]
    /// Announcements that claimed a device but failed the trust rule (nothing of them was believed).
    public var rejected: [RejectedAnnouncement]
    /// Whether every service the avahi-daemon knew of was resolved before the timeout.
    public var complete: Bool
}

/// A device seen on the LAN: its announcement, its stored name, and its state typed.
public struct LANDevice: Sendable, Equatable {
    /// What the device announced (id, kind, address, revision, raw state).
    public var announcement: DiscoveredDevice
    /// The device's stored name, when the store has one.
    public var name: String?
    /// Its state, decrypted and typed; nil when it is encrypted with a key the store lacks.
    public var state: DeviceState?

    /// The announcement, named and typed from the store's record of the device.
    public init(_ announcement: DiscoveredDevice, stored: StoredDevice?) {
        self.announcement = announcement
        name = stored?.name
        state = announcement.state.map { DeviceState(parameters: $0, type: announcement.type) }
    }

    /// The device's id.
    public var id: String { announcement.id }
    /// The device's kind, as announced.
    public var type: DeviceType { announcement.type }
    /// Where it answers.
    public var host: String { announcement.host }
    /// The port it answers on.
    public var port: Int { announcement.port }
}
