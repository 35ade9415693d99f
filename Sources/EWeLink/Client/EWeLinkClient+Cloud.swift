import EWeLinkCloud
import EWeLinkLAN

extension EWeLinkClient {
    /// The cloud REST client, or why there is none.
    func cloudClient() throws(CloudError) -> CloudClient {
        if let cloudProblem { throw cloudProblem }
        guard let cloud else { throw .missingAppCredentials }
        return cloud
    }

    /// The cloud REST client with a session, or why there is none (no cloud settings, unusable
    /// ones, or not logged in).
    package func loggedInCloud() throws(CloudError) -> CloudClient {
        let client = try cloudClient()
        guard client.session != nil else { throw .notLoggedIn }
        return client
    }

    /// Logs in to the eWeLink cloud with an email or a phone number (with its country code),
    /// starting at the configured region; the session is kept in the store's folder (mode
    /// 0600), the password nowhere. Then ``syncKeys()`` keeps every device's key locally.
    ///
    /// - Throws: `CloudError`: no cloud configured, wrong password, unreachable cloud.
    @discardableResult
    public func login(email: String? = nil, phoneNumber: String? = nil, password: String,
                      countryCode: String) async throws(CloudError) -> CloudSession {
        let client = try cloudClient()
        return try await client.login(email: email, phoneNumber: phoneNumber, password: password, countryCode: countryCode,
                                      region: configuration.cloud?.region ?? .us)
    }

    /// Pulls the thing list of every home of the account once and keeps each device's key,
    /// apikey, kind, channels, firmware and name in the store: the LAN needs no cloud afterwards.
    ///
    /// - Throws: `CloudError` (not logged in, the cloud failed) or `DeviceStoreError`.
    @discardableResult
    public func syncKeys() async throws -> KeySync.Report {
        try await KeySync.sync(client: try loggedInCloud(), store: lan.store)
    }

    /// The firmware each device could update to, as the cloud offers it (nil: up to date, or not
    /// a cloud device).
    public func firmwareUpdates(for devices: [StoredDevice]) async throws(OTAError) -> [(StoredDevice, OTAOffer?)] {
        guard let cloud = try? cloudClient(), cloud.session != nil else { throw .noSession }
        return try await CloudOTAUpdater.check(devices, cloud: cloud)
    }

    /// Updates a device's firmware through the cloud and follows it until it runs a newer
    /// version: success only when it reports one.
    ///
    /// - Parameters:
    ///   - device: Its id or stored name; it must be in the store with its apikey and model (key sync).
    ///   - version: Only this version (refused when the cloud offers another).
    ///   - timeout: How long the device has to come back with the new firmware.
    ///   - progress: Sees each step (offered, sent, rebooting, …).
    public func upgradeFirmware(_ device: DeviceReference, version: String? = nil, timeout: Duration = .seconds(600),
                                progress: @escaping @Sendable (OTAProgress) -> Void = { _ in }) async throws(OTAError) -> OTAOutcome {
        guard let cloud = try? cloudClient(), let socket, cloud.session != nil else { throw .noSession }
        let stored: StoredDevice
        do { stored = try await lan.device(device.query) } catch {
            throw .notInCloud(deviceID: device.query)
        }
        return try await CloudOTAUpdater(cloud: cloud, socket: socket, store: lan.store)
            .upgrade(stored, version: version, timeout: timeout, progress: progress)
    }

    /// Flashes a firmware image onto a DIY-mode device over the LAN (`ota_unlock`, then
    /// `ota_flash` with a URL this process serves) and follows it until it is back.
    public func flashFirmware(_ device: StoredDevice, image path: String, timeout: Duration = .seconds(300), force: Bool = false,
                              progress: @escaping @Sendable (OTAProgress) -> Void = { _ in }) async throws(OTAError) -> OTAOutcome {
        try await DIYFlasher(client: lan.client).flash(device, image: path, timeout: timeout, force: force, progress: progress)
    }
}
