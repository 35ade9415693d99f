import EWeLinkCloud
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the router needs from the LAN side: finding a device, talking to it, and recording what
/// that taught. `LANController` is the real one; tests swap in a fake to check routing decisions
/// in milliseconds.
package protocol LANLeg: Sendable {
    /// The device named by `query` (id or name).
    func device(_ query: String) async throws(ControlError) -> StoredDevice
    /// Where mDNS says the device is; `cacheOnly`: the avahi-daemon's cache only.
    func lookup(_ deviceID: String, cacheOnly: Bool) async throws(ControlError) -> DiscoveredDevice?
    /// One command over the LAN (see `LANController.send`).
    func send(_ params: JSONObject, to device: StoredDevice, endpoint: String?, started: ContinuousClock.Instant,
              timeout: Duration?, relookup: Bool, onWire: (@Sendable () -> Void)?,
              proceed: (@Sendable () -> Bool)?) async throws(ControlError) -> CommandResult
    /// After the blocking path's attempt at the stored address failed with `failure`: one more
    /// try where mDNS says the device is now (see `LANController.sendElsewhere`).
    func sendElsewhere(after failure: LANError, _ params: JSONObject, to device: StoredDevice,
                       started: ContinuousClock.Instant, timeout: Duration?) async throws(ControlError) -> CommandResult
    /// The device's state as the LAN tells it.
    func state(of deviceID: String) async throws(ControlError) -> StateResult
    /// Whether the device answers at its address (a LAN marked down may be back).
    func probe(_ device: StoredDevice, timeout: Duration) async -> Bool
    /// Looks for a device whose remembered address failed.
    func refreshAddress(_ deviceID: String) async
    /// Records what discovery learnt about stored devices.
    func remember(_ devices: [DiscoveredDevice])
    /// One more consecutive LAN failure.
    func noteFailure(_ deviceID: String)
    /// The avahi-daemon's cache did not know the device just now.
    func noteCacheMiss(_ deviceID: String)
    /// What the cloud last said about the device being online, for later processes.
    func noteCloudPresence(_ deviceID: String, _ online: Bool)
    /// Asks the device at its known address for its `info` (state, shape, firmware) and keeps
    /// what it learnt; nil when it has no address or does not answer.
    func ask(_ device: StoredDevice) async -> LearntDevice?
}

extension LANLeg {
    /// Fakes that do not model the device's own answers learn nothing.
    package func ask(_ device: StoredDevice) async -> LearntDevice? { nil }

    /// Fakes have no second address to try.
    package func sendElsewhere(after failure: LANError, _ params: JSONObject, to device: StoredDevice,
                               started: ContinuousClock.Instant, timeout: Duration?) async throws(ControlError) -> CommandResult {
        throw .lan(failure)
    }

    /// The wire params of on / off / toggle: a toggle is resolved to an absolute state first (from
    /// a fresh announcement, else the device itself), so the command is idempotent and may go by
    /// any route; a device whose shape is unknown is asked once. Returns the device updated with
    /// what was learnt.
    package func powerParams(_ action: PowerAction, device stored: StoredDevice, channel: Int?,
                            lookUp: Bool = true) async throws(ControlError) -> (StoredDevice, JSONObject) {
        var device = stored
        // Toggle needs the current state; on/off need to know the channels when the store does not.
        let shapeUnknown = device.type == nil && device.lastState == nil && device.channels == nil
        if lookUp && (action == .toggle || shapeUnknown) {
            // The freshest source first: an announcement (only the avahi-daemon's cache for a
            // device with a configured address), else one `info` round trip to the device, else
            // the state of its last reply.
            var announced = false
            if let fresh = try? await lookup(device.id, cacheOnly: device.hostConfigured) {
                device.adopt(fresh)
                announced = fresh.state != nil
            }
            if !announced, device.host != nil, let learnt = await ask(device) { device.take(learnt) }
        }
        return (device, try CommandShape.power(action, device: device, channel: channel))
    }
}

/// What the router needs from the cloud side: the WebSocket session (when one is up) and REST.
/// Which of them carries a command is the router's decision, not the leg's.
package protocol CloudLeg: Sendable {
    /// Logged in: REST can carry commands.
    var hasSession: Bool { get }
    /// The WebSocket session is up.
    var socketConnected: Bool { get }
    /// A command through the WebSocket; the reply's error code (0: done).
    func socketUpdate(_ deviceID: String, apikey: String, params: JSONObject) async throws(CloudError) -> Int
    /// The device's params through the WebSocket; nil when the reply carries none or an error.
    func socketQuery(_ deviceID: String, apikey: String) async throws(CloudError) -> JSONObject?
    /// A command through REST (`/v2/device/thing/status`).
    func restUpdate(_ deviceID: String, params: JSONObject) async throws(CloudError)
    /// The device's params through REST.
    func restStatus(_ deviceID: String) async throws(CloudError) -> JSONObject
}

/// The cloud leg of a logged-in client, with the WebSocket session its owner made (if any).
package struct CloudSessionLeg: CloudLeg {
    package let client: CloudClient
    package let socket: CloudSocket?

    package init(client: CloudClient, socket: CloudSocket?) {
        self.client = client
        self.socket = socket
    }

    package var hasSession: Bool { client.session != nil }
    package var socketConnected: Bool { socket?.isConnected == true }

    package func socketUpdate(_ deviceID: String, apikey: String, params: JSONObject) async throws(CloudError) -> Int {
        guard let socket else { throw .notLoggedIn }
        return try await socket.update(deviceID, apikey: apikey, params: params).error
    }

    package func socketQuery(_ deviceID: String, apikey: String) async throws(CloudError) -> JSONObject? {
        guard let socket else { throw .notLoggedIn }
        let reply = try await socket.query(deviceID, apikey: apikey)
        return reply.error == 0 ? reply.params : nil
    }

    package func restUpdate(_ deviceID: String, params: JSONObject) async throws(CloudError) {
        try await client.setStatus(of: deviceID, params: params)
    }

    package func restStatus(_ deviceID: String) async throws(CloudError) -> JSONObject {
        try await client.status(of: deviceID)
    }
}

extension LANController: LANLeg {
    package func noteCloudPresence(_ deviceID: String, _ online: Bool) {
        directory.record(deviceID) { $0.cloudOnline = online }
    }
}
