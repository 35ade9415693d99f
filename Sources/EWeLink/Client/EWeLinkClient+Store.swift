import EWeLinkLAN

extension EWeLinkClient {
    /// What adding a device did.
    public struct AddedDevice: Sendable {
        /// Whether a record was made, changed, or already said all of it.
        public var outcome: DeviceStore.UpsertOutcome
        /// What the device said of itself when it was checked at its address (nil: not checked).
        public var answer: LearntDevice?
    }

    /// Adds a device to the store (or edits the stored one): for a key read from the device's
    /// pairing page, and for networks mDNS does not reach (VLANs, VPNs), where a configured
    /// `host` is never replaced by an announcement.
    ///
    /// With a `host` and `verify`, the device is asked for its `info` there first: with a key
    /// (this one, else the stored one) it must prove itself (its reply decrypts with the key and
    /// names it); its kind, channels and firmware are stored. If it does not answer or does not
    /// prove itself, nothing is stored.
    ///
    /// - Parameters:
    ///   - id: The device id (10 letters and digits).
    ///   - host: Its LAN address (a host name or IPv4 address), or nil to leave the address to mDNS.
    ///   - port: Its LAN port.
    ///   - key: Its devicekey; nil for a DIY device or to keep the stored key.
    ///   - name: A name to call it by.
    ///   - verify: Ask the device at `host` before storing (the default).
    /// - Throws: `ControlError.invalidRequest` for an id of the wrong form, `ControlError.lan`
    ///   when the check fails, `ControlError.store` when the store cannot be written.
    @discardableResult
    public func addDevice(_ id: String, host: String? = nil, port: Int = LANProtocol.port, key: DeviceKey? = nil,
                          name: String? = nil, verify: Bool = true) async throws(ControlError) -> AddedDevice {
        var facts = DeviceFacts(id: id, source: .user)
        facts.key = key
        facts.name = name
        facts.host = host
        facts.port = host == nil ? nil : port
        return try await addDevice(facts, verify: verify)
    }

    /// ``addDevice(_:host:port:key:name:verify:)`` with every fact a user may give (kind, channels,
    /// route policy, removing a key); the store merges them by its one rule (`DeviceStore.upsert`).
    @discardableResult
    public func addDevice(_ facts: DeviceFacts, verify: Bool = true) async throws(ControlError) -> AddedDevice {
        if let problem = StoredDevice.idProblem(facts.id) { throw .invalidRequest(problem) }
        var facts = facts
        if verify, let host = facts.host {
            let stored = try lan.directory.stored(facts.id)
            let key = facts.removesKey ? nil : (facts.key ?? stored?.identity.key)
            let target = LANTarget(deviceID: facts.id, host: host, port: facts.port ?? LANProtocol.port, devicekey: key?.secret)
            do { facts.answer = try await lan.client.learn(target, timeout: configuration.lanTimeout) } catch {
                throw .lan(error)
            }
        }
        return AddedDevice(outcome: try upsert([facts]).first ?? .unchanged, answer: facts.answer)
    }

    /// `DeviceStore.upsert`, its failures as the client's.
    @discardableResult
    private func upsert(_ facts: [DeviceFacts]) throws(ControlError) -> [DeviceStore.UpsertOutcome] {
        do { return try lan.store.upsert(facts) } catch let error as DeviceStoreError { throw .store(error) } catch {
            throw .store(.io(path: lan.store.path, reason: "\(error)"))
        }
    }

    /// What a scan found, and what it stored.
    public struct ScanReport: Sendable {
        /// Every host that answered on the LAN port: id, kind, channels, firmware, whether a
        /// stored key opens its replies.
        public var findings: [LANScanner.Finding]
        /// The ids stored (with `add`): devices whose id is known and, if encrypted, whose stored
        /// key opened their reply.
        public var added: [String]
        /// How long the scan took.
        public var elapsed: Duration
    }

    /// Finds eWeLink devices by address where mDNS does not reach: connects to the LAN port of
    /// every address (at most 256 at a time), then asks each host that accepts for its `info`,
    /// plainly first (DIY), then with each stored key until one opens it. With `add`, every
    /// device found whose id is known is stored with its address as configured.
    public func scan(_ addresses: AddressRange, port: Int = LANProtocol.port, connectTimeout: Duration = .milliseconds(500),
                     add: Bool = false) async throws(ControlError) -> ScanReport {
        let keys = try devices().compactMap { d in d.identity.key.map { LANScanner.Key(deviceID: d.id, devicekey: $0.secret) } }
        let started = ContinuousClock.now
        let found = await LANScanner(port: port, connectTimeout: connectTimeout).scan(addresses.hosts, keys: keys)
        let elapsed = ContinuousClock.now - started
        guard add else { return ScanReport(findings: found, added: [], elapsed: elapsed) }
        let facts = found.filter { !$0.encrypted || $0.keyVerified }.compactMap { f -> DeviceFacts? in
            guard let id = f.deviceID, StoredDevice.isValidID(id) else { return nil }
            var facts = DeviceFacts(id: id, source: .scan)
            facts.host = f.host
            facts.port = f.port
            facts.type = f.type
            facts.channels = f.channels
            return facts
        }
        try upsert(facts)
        return ScanReport(findings: found, added: facts.map(\.id), elapsed: elapsed)
    }
}
