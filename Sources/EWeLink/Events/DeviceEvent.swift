import EWeLinkLAN
import Foundation

/// One thing that happened to a device, from whichever side saw it first.
public struct DeviceEvent: Sendable, Equatable {
    public enum Source: String, Sendable {
        /// The device's mDNS announcement (TXT).
        case mdns
        /// The device's reply to one of our LAN commands.
        case http
        /// The cloud WebSocket (`update` push or `sysmsg`).
        case cloud
    }

    public enum Kind: String, Sendable {
        /// First seen on the LAN.
        case appeared
        /// New params (a full state from the LAN, the changed params from the cloud).
        case state
        /// Its LAN service went away (a hint: devices cannot say they are off).
        case disappeared
        case online, offline
        /// An announcement claimed the device but failed the trust rule (its data does not decrypt
        /// with the device's key): nothing of it was adopted. `detail` says where and why.
        case rejected
        /// Another service claims the id of a device without a key; the one used is unchanged.
        case contested
    }

    public var deviceID: String
    public var source: Source
    public var kind: Kind
    public var params: JSONObject?
    /// The device's LAN revision (`seq`), when the source has one.
    public var seq: Int?
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
