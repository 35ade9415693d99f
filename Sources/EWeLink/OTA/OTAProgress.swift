import EWeLinkLAN
import Foundation

/// One step of a firmware update, for a progress display or a JSON event stream.
public struct OTAProgress: Sendable {
    public enum Step: String, Sendable {
        case offered, sent, acknowledged, serving, unlocked, flashing, downloading, offline, online, version, succeeded, failed
    }

    public var deviceID: String
    public var step: Step
    public var detail: String
    public var elapsed: Duration

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
    public var deviceID: String
    public var from: String
    /// The version the device reported at the end (nil when it never did).
    public var to: String?
    public var elapsed: Duration

    public var json: JSONObject {
        ["device": .string(deviceID), "from": .string(from), "to": to.map(JSONValue.string) ?? .null,
         "ok": true, "elapsedMs": .double(elapsed.inMilliseconds.rounded())]
    }
}

/// Why an update did not happen or did not succeed.
public enum OTAError: Error, Sendable, CustomStringConvertible {
    case noUpdate(deviceID: String, current: String)
    case versionNotOffered(deviceID: String, wanted: String, offered: String)
    case notInCloud(deviceID: String)
    case noSession
    case refused(deviceID: String, code: Int)
    case timedOut(deviceID: String, after: Duration, lastSeen: String)
    case notNewer(deviceID: String, before: String, after: String)
    case imageTooLarge(bytes: Int, limit: Int)
    case unreadableImage(path: String, reason: String)
    /// The file does not start like an ESP8266/ESP32 app image (0xE9); forcing flashes it anyway.
    case notFirmwareImage(path: String, firstByte: UInt8)
    case lan(deviceID: String, step: String, LANError)
    case cloud(CloudFailure)

    /// A cloud error, kept as text so this type does not need the cloud module's types in its API.
    public struct CloudFailure: Sendable, CustomStringConvertible {
        public var description: String
    }

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
            return "\(path) is not an ESP8266/ESP32 firmware image (it starts with 0x\(String(format: "%02X", byte)), "
                + "an app image with 0xE9): nothing was sent"
        case .lan(let id, let step, let e): return "\(id): \(step) failed: \(e)"
        case .cloud(let f): return f.description
        }
    }
}
