import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One step of a firmware update, for a progress display or a JSON event stream.
public struct OTAProgress: Sendable {
    /// Where an update is: cloud upgrades go offered, sent, acknowledged, offline, online, version;
    /// DIY flashes go serving, unlocked, flashing, downloading, offline, online, version; both end in
    /// succeeded or failed.
    public enum Step: String, Sendable {
        /// The cloud offers a newer version (`before → offered`).
        case offered
        /// The `upgrade` order went out over the WebSocket.
        case sent
        /// The device took the order (or dropped the connection instead, as some firmware does).
        case acknowledged
        /// The image is being served by this process (its size and SHA-256).
        case serving
        /// The device accepted `ota_unlock`.
        case unlocked
        /// `ota_flash` went out with the image's URL and digest.
        case flashing
        /// The device fetched the image (the bytes served).
        case downloading
        /// The device went away to reboot into the new firmware.
        case offline
        /// The device is back.
        case online
        /// The firmware version the device reports now.
        case version
        /// The device reports a version newer than before: the update took.
        case succeeded
        /// The update did not take (the version the device came back with).
        case failed
    }

    /// The device being updated.
    public var deviceID: String
    /// The step just reached.
    public var step: Step
    /// What the step found, in words (`3.5.0 → 3.6.0`, `524288 bytes served`).
    public var detail: String
    /// Time since the update began.
    public var elapsed: Duration

    /// The step as `ewelink ota --json` prints it: `device`, `event`, `detail`, `elapsedMs`.
    public var json: JSONObject {
        ["device": .string(deviceID), "event": .string(step.rawValue), "detail": .string(detail),
         "elapsedMs": .double(elapsed.inMilliseconds.rounded())]
    }
}

/// Reports one update's steps and judges its end, the same way for cloud upgrades and DIY flashes.
struct OTAReporter: Sendable {
    let deviceID: String
    let started = ContinuousClock.now
    let progress: @Sendable (OTAProgress) -> Void

    func callAsFunction(_ step: OTAProgress.Step, _ detail: String) {
        progress(OTAProgress(deviceID: deviceID, step: step, detail: detail, elapsed: ContinuousClock.now - started))
    }

    /// A success only when the device came back within `timeout` with a version newer than before.
    func outcome(before: String, after: String?, timeout: Duration) throws(OTAError) -> OTAOutcome {
        guard let after else { throw .timedOut(deviceID: deviceID, after: timeout, lastSeen: before) }
        guard let a = FirmwareVersion(after), let b = FirmwareVersion(before), a > b else {
            self(.failed, "came back with \(after)")
            throw .notNewer(deviceID: deviceID, before: before, after: after)
        }
        self(.succeeded, "\(before) → \(after)")
        return OTAOutcome(deviceID: deviceID, from: before, to: after, elapsed: ContinuousClock.now - started)
    }
}

/// How an update ended.
public struct OTAOutcome: Sendable {
    /// The device that was updated.
    public var deviceID: String
    /// The firmware version before the update.
    public var from: String
    /// The version the device reported at the end (nil when it never did).
    public var to: String?
    /// From the start of the update to the new version's report.
    public var elapsed: Duration

    /// The outcome as `ewelink ota --json` prints it, with `"ok": true`.
    public var json: JSONObject {
        ["device": .string(deviceID), "from": .string(from), "to": to.map(JSONValue.string) ?? .null,
         "ok": true, "elapsedMs": .double(elapsed.inMilliseconds.rounded())]
    }
}

/// Why an update did not happen or did not succeed.
public enum OTAError: Error, Sendable, CustomStringConvertible {
    /// The cloud offers nothing newer than the version the device runs.
    case noUpdate(deviceID: String, current: String)
    /// The version asked for is not the one the cloud offers.
    case versionNotOffered(deviceID: String, wanted: String, offered: String)
    /// The device is not in the synced cloud account (no owner apikey or model stored).
    case notInCloud(deviceID: String)
    /// No cloud session: cloud upgrades go through the WebSocket.
    case noSession
    /// The device answered the order with an error code.
    case refused(deviceID: String, code: Int)
    /// The device did not report a new version within the time allowed; `lastSeen` is the version it last reported.
    case timedOut(deviceID: String, after: Duration, lastSeen: String)
    /// The device came back with a version that is not newer: the update did not take.
    case notNewer(deviceID: String, before: String, after: String)
    /// The image is larger than DIY firmware accepts; nothing was sent.
    case imageTooLarge(bytes: Int, limit: Int)
    /// The image file could not be read; nothing was sent.
    case unreadableImage(path: String, reason: String)
    /// The file does not start like an ESP8266/ESP32 app image (0xE9); forcing flashes it anyway.
    case notFirmwareImage(path: String, firstByte: UInt8)
    /// A LAN request of the flash (`step`: `ota_unlock`, `ota_flash`, `info`) failed.
    case lan(deviceID: String, step: String, LANError)
    /// A cloud call failed (the offer query, or the session).
    case cloud(CloudFailure)

    /// A cloud error, kept as text so this type does not need the cloud module's types in its API.
    public struct CloudFailure: Sendable, CustomStringConvertible {
        /// The cloud error's text.
        public var description: String
    }

    /// One sentence naming the device, what failed and what is missing.
    public var description: String {
        switch self {
        case .noUpdate(let id, let v): return "no firmware update for \(id): \(v) is the newest the cloud offers"
        case .versionNotOffered(let id, let wanted, let offered):
            return "the cloud offers \(offered) for \(id), not \(wanted)"
        case .notInCloud(let id): return "\(id) is not in the cloud account (no apikey/model in the store)"
        case .noSession: return "no cloud session (OTA goes through the cloud WebSocket)"
        case .refused(let id, let code): return "\(id) refused the upgrade (error \(code))"
        case .timedOut(let id, let after, let last):
            return "\(id) did not report a new firmware within \(after) (last seen: \(last))"
        case .notNewer(let id, let before, let after):
            return "\(id) came back with firmware \(after), not newer than \(before): the update did not take"
        case .imageTooLarge(let bytes, let limit):
            return "the image is \(bytes) bytes; DIY devices accept at most \(limit) (508 KB): nothing was sent"
        case .unreadableImage(let path, let why): return "cannot read \(path): \(why)"
        case .notFirmwareImage(let path, let byte):
            return "\(path) is not an ESP8266/ESP32 firmware image (it starts with 0x\(byte.upperHex), "
                + "an app image with 0xE9): nothing was sent"
        case .lan(let id, let step, let e): return "\(id): \(step) failed: \(e)"
        case .cloud(let f): return f.description
        }
    }
}
