import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One thing that happened to a device, from whichever side saw it first.
public struct DeviceEvent: Sendable, Equatable {
    /// The side that saw it.
    public enum Source: String, Sendable {
        /// The device's mDNS announcement (TXT).
        case mdns
        /// The device's reply to one of our LAN commands.
        case http
        /// The cloud WebSocket (`update` push or `sysmsg`).
        case cloud
    }

    /// What happened.
    public enum Kind: String, Sendable {
        /// First seen on the LAN.
        case appeared
        /// New params (a full state from the LAN, the changed params from the cloud).
        case state
        /// Its LAN service went away (a hint: devices cannot say they are off).
        case disappeared
        /// The cloud says the device is online.
        case online
        /// The cloud says the device is offline.
        case offline
        /// An announcement claimed the device but failed the trust rule (its data does not decrypt
        /// with the device's key): nothing of it was adopted. `detail` says where and why.
        case rejected
        /// Another service claims the id of a device without a key; the one used is unchanged.
        case contested
    }

    /// The device's id.
    public var deviceID: String
    /// The side that saw it.
    public var source: Source
    /// What happened.
    public var kind: Kind
    /// What this event reported: a full state from the LAN, the changed params from the cloud,
    /// nil for presence changes (see `state` for the whole state after it).
    public var params: JSONObject?
    /// The device's LAN revision (`seq`), when the source has one.
    public var seq: Int?
    /// When it was seen (an announcement's own time for mDNS).
    public var time: Date
    /// For `rejected` and `contested`: who claimed the device, and why it was not believed.
    public var detail: String? = nil
    /// The device's stored name (set by ``EWeLinkClient/events(from:)``).
    public var name: String? = nil
    /// The device's whole state after this event, typed (set by ``EWeLinkClient/events(from:)``
    /// for `appeared` and `state`; `params` has only what this event reported).
    public var state: DeviceState? = nil

    /// How `time` is written in the JSON (UTC, milliseconds).
    public static let timeFormat = Date.ISO8601FormatStyle.iso8601.time(includingFractionalSeconds: true).year().month().day()
        .dateTimeSeparator(.standard).timeZone(separator: .omitted)

    /// `{"device","source","kind","params","seq","time"[,"detail"]}`, one per line for scripts.
    public func json(name: String?) -> JSONObject {
        var o: JSONObject = ["device": .string(deviceID)]
        if let name { o["name"] = .string(name) }
        o["source"] = .string(source.rawValue)
        o["kind"] = .string(kind.rawValue)
        o["params"] = params.map(JSONValue.object) ?? .null
        o["seq"] = seq.map(JSONValue.int) ?? .null
        o["time"] = .string(time.formatted(Self.timeFormat))
        if let detail { o["detail"] = .string(detail) }
        return o
    }
}
