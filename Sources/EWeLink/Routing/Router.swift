import EWeLinkCloud
import EWeLinkLAN
import Foundation

/// The decision "local or cloud?": each command goes over the LAN when the device is reachable
/// there, else through the cloud WebSocket session when one is up, else through REST
/// (`/v2/device/thing/status`). The result says which route served it.
///
/// Only an unreachable LAN (refused, silent, reset, no address) falls back: a device that answered
/// with an error code has spoken, and a command is never sent twice for it.
public final class Router: Sendable {
    public let lan: LANController
    public let cloud: CloudClient?
    public let socket: CloudSocket?

    public init(lan: LANController, cloud: CloudClient? = nil, socket: CloudSocket? = nil) {
        self.lan = lan
        self.cloud = cloud
        self.socket = socket
    }

    /// Sends `params` to a device by the fastest route that works.
    public func send(_ params: JSONObject, to query: String, endpoint: String? = nil) async throws(ControlError) -> CommandResult {
        let started = ContinuousClock.now
        let device = try await lan.device(query)
        do {
            return try await lan.send(params, to: device, endpoint: endpoint, started: started)
        } catch {
            guard shouldFallBack(error) else { throw error }
            return try await viaCloud(params, device: device, started: started, lanError: error)
        }
    }

    /// on / off / toggle with the same fallback.
    public func power(_ action: PowerAction, _ query: String, channel: Int? = nil) async throws(ControlError) -> CommandResult {
        let started = ContinuousClock.now
        let device = try await lan.device(query)
        do {
            return try await lan.power(action, device: device, channel: channel, started: started)
        } catch {
            guard shouldFallBack(error) else { throw error }
            var value = action.rawValue
            if action == .toggle {
                // The LAN could not tell; the cloud's last report can.
                guard let state = try? await cloudState(device), let on = CommandShape.isOn(state, channel: channel) else {
                    throw .stateUnknown(deviceID: device.id)
                }
                value = on ? "off" : "on"
            }
            let params = try CommandShape.power(value, channel: channel, type: device.type, state: device.lastState,
                                                channels: device.channels)
            return try await viaCloud(params, device: device, started: started, lanError: error)
        }
    }

    private func shouldFallBack(_ error: ControlError) -> Bool {
        guard cloud?.session != nil else { return false }
        switch error {
        case .lan(let e): return e.isUnreachable || Self.isKeyProblem(e)
        case .mdns: return true
        default: return false
        }
    }

    /// No LAN key (e.g. a shared device synced without one): the cloud can still carry it.
    private static func isKeyProblem(_ e: LANError) -> Bool {
        if case .deviceKeyMissing = e { return true }
        return false
    }

    private func cloudState(_ device: StoredDevice) async throws -> JSONObject {
        guard let cloud else { throw CloudError.notLoggedIn }
        return try await cloud.status(of: device.id)
    }

    private func viaCloud(_ params: JSONObject, device: StoredDevice, started: ContinuousClock.Instant,
                          lanError: ControlError) async throws(ControlError) -> CommandResult {
        guard let cloud else { throw lanError }
        let state = (device.lastState ?? [:]).applying(params)
        if let socket, socket.isConnected, let apikey = device.apikey {
            do {
                let reply = try await socket.update(device.id, apikey: apikey, params: params)
                return CommandResult(deviceID: device.id, route: .websocket, error: reply.error,
                                     elapsed: ContinuousClock.now - started, state: state, seq: nil)
            } catch {
                // The socket failed: REST is the last resort.
            }
        }
        do {
            try await cloud.setStatus(of: device.id, params: params)
        } catch {
            throw .cloud(error, lan: lanError.description)
        }
        return CommandResult(deviceID: device.id, route: .rest, error: 0, elapsed: ContinuousClock.now - started,
                             state: state, seq: nil)
    }
}
