import EWeLinkCloud
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Firmware updates through the cloud: `/v2/device/ota/query` says what is available, the
/// WebSocket `upgrade` action orders it, and the device is followed (offline, online, new
/// `fwVersion`) until it proves the update took.
public struct CloudOTAUpdater: Sendable {
    /// The client that asks what is offered (`/v2/device/ota/query`).
    public let cloud: CloudClient
    /// The session the `upgrade` order goes through, and the online/offline and version pushes followed.
    public let socket: CloudSocket
    /// Where the device's apikey, model and firmware are read, and its new firmware recorded.
    public let store: DeviceStore

    /// An updater over a logged-in client, its running socket, and the store synced from that account.
    public init(cloud: CloudClient, socket: CloudSocket, store: DeviceStore) {
        self.cloud = cloud
        self.socket = socket
        self.store = store
    }

    /// What is available for each device, asking about 30 devices per call. Devices without a
    /// model or version in the store are asked about with what the cloud reports now.
    public static func check(_ devices: [StoredDevice], cloud: CloudClient) async throws(OTAError) -> [(StoredDevice, OTAOffer?)] {
        var out: [(StoredDevice, OTAOffer?)] = []
        let known = devices.filter { $0.model != nil && $0.apikey != nil }
        for d in devices where d.model == nil || d.apikey == nil { out.append((d, nil)) }
        var start = 0
        while start < known.count {
            let batch = Array(known[start..<min(start + 30, known.count)])
            start += batch.count
            let offers: [OTAOffer]
            do {
                offers = try await cloud.otaQuery(batch.map { ($0.id, $0.model!, $0.fwVersion ?? "0.0.0") })
            } catch {
                throw .cloud(.init(description: error.description))
            }
            for d in batch { out.append((d, offers.first { $0.deviceID == d.id })) }
        }
        return out
    }

    /// Orders the update and follows the device until it reports a newer version; `progress` sees
    /// each step.
    public func upgrade(_ device: StoredDevice, version wanted: String? = nil, timeout: Duration = .seconds(600),
                        progress: @escaping @Sendable (OTAProgress) -> Void = { _ in }) async throws(OTAError) -> OTAOutcome {
        let step = OTAReporter(deviceID: device.id, progress: progress)
        guard cloud.session != nil else { throw .noSession }
        guard let apikey = device.apikey, let model = device.model else { throw .notInCloud(deviceID: device.id) }
        // The version now, from the cloud (the store may be behind).
        let before: String
        do {
            before = try await cloud.status(of: device.id, params: ["fwVersion"])["fwVersion"]?.stringValue
                ?? device.fwVersion ?? "0.0.0"
        } catch {
            throw .cloud(.init(description: error.description))
        }
        let offer: OTAOffer
        do {
            guard let found = try await cloud.otaQuery([(device.id, model, before)]).first else {
                throw OTAError.noUpdate(deviceID: device.id, current: before)
            }
            offer = found
        } catch let error as OTAError {
            throw error
        } catch {
            throw .cloud(.init(description: "\(error)"))
        }
        if let wanted, wanted != offer.version {
            throw .versionNotOffered(deviceID: device.id, wanted: wanted, offered: offer.version)
        }
        step(.offered, "\(before) → \(offer.version)")
        if !socket.isConnected {
            socket.start()
            do { try await socket.waitUntilConnected(timeout: .seconds(15)) } catch {
                throw .cloud(.init(description: error.description))
            }
        }
        // Listen before ordering, so no report is missed.
        let events = socket.subscribe()
        step(.sent, "upgrade to \(offer.version)")
        do {
            let reply = try await socket.upgrade(device.id, apikey: apikey, model: model, offer: offer)
            guard reply.error == 0 else { throw OTAError.refused(deviceID: device.id, code: reply.error) }
            step(.acknowledged, "the device took the order")
        } catch let error as OTAError {
            throw error
        } catch {
            // Some firmware drops the connection instead of acknowledging: follow it anyway.
            step(.acknowledged, "no acknowledgement (\(error)); following the device")
        }
        let reported = await follow(device.id, apikey: apikey, events: events, timeout: timeout, step: step)
        let outcome = try step.outcome(before: before, after: reported, timeout: timeout)
        do { try store.update(device: device.id) { $0.fwVersion = reported } } catch {
            // The device runs the new firmware either way; say that the store still shows the old one.
            step(.version, "\(reported ?? before) (not recorded in the device store: \(error))")
        }
        return outcome
    }

    /// Waits for the device's next `fwVersion` report after it went offline (or after it came back
    /// online, asking it then when it does not say by itself). Nil on timeout.
    private func follow(_ deviceID: String, apikey: String, events: AsyncStream<CloudEvent>, timeout: Duration,
                        step: OTAReporter) async -> String? {
        let deadline = ContinuousClock.now + timeout
        // The device's reports race the deadline: the first to end decides.
        return await TimeLimit.run(until: deadline, otherwise: nil) {
            await self.awaitVersion(deviceID, apikey: apikey, events: events, step: step)
        }
    }

    /// The version the device reports once it went offline and came back (nil when the events end).
    private func awaitVersion(_ deviceID: String, apikey: String, events: AsyncStream<CloudEvent>,
                              step: OTAReporter) async -> String? {
        var wentOffline = false
        for await event in events {
            switch event {
            case .online(deviceID, false):
                wentOffline = true
                step(.offline, "rebooting into the new firmware")
            case .online(deviceID, true):
                step(.online, "back online")
                if let reply = try? await socket.query(deviceID, apikey: apikey, params: ["fwVersion"]),
                   let v = reply.params?["fwVersion"]?.stringValue {
                    step(.version, v)
                    return v
                }
            case .update(deviceID, let params):
                if let v = params["fwVersion"]?.stringValue, wentOffline {
                    step(.version, v)
                    return v
                }
            default:
                continue
            }
        }
        return nil
    }
}
