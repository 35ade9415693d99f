#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A device seen on the LAN through mDNS, with its decoded announcement.
public struct DiscoveredDevice: Sendable, Equatable {
    /// The eWeLink device id (`1000abcdef`) from the TXT record.
    public var id: String
    /// The mDNS instance name (`eWeLink_<id>`).
    public var instanceName: String
    /// The announced type, which the `DeviceCatalogue` describes when it knows it.
    public var type: DeviceType
    /// The TXT `apivers`: the protocol version the firmware speaks.
    public var apiVersion: Int
    /// The IPv4 address the service resolved to.
    public var host: String
    /// The port of the zeroconf HTTP server (8081 on real firmware).
    public var port: Int
    /// The state revision of the announcement; it grows with every change (a reboot restarts it).
    public var seq: Int
    /// Whether the announcement is encrypted (eWeLink mode) or plain (DIY mode).
    public var encrypted: Bool
    /// The base64 IV of the encrypted state; nil for a plain one.
    public var iv: String?
    /// The decoded state; nil when it is encrypted and no key is known, or could not be decoded.
    public var state: JSONObject?
    /// Why the state could not be decoded (garbage), when it could not.
    public var stateError: String?
    /// Oddities of the TXT record that did not stop it from being read (a wrong `txtvers`, say).
    public var warnings: [String]
    /// When this announcement (or the last one from this service) arrived.
    public var lastSeen: Date
    /// Other services announcing the same id (a second device, or a spoofer). They are not used
    /// while this one is preferred; only possible for devices without a key (DIY), since an
    /// announcement of a device with a key counts only when it decrypts with that key.
    public var rivals: [AnnouncementSource] = []

    /// Where and under which name this record was announced.
    public var source: AnnouncementSource {
        AnnouncementSource(instanceName: instanceName, host: host, port: port, seq: seq)
    }
}

/// One mDNS service announcing a device id: where it says the device is.
public struct AnnouncementSource: Sendable, Equatable {
    /// The mDNS instance name the service announced.
    public var instanceName: String
    /// The IPv4 address the service resolved to.
    public var host: String
    /// The port the service announced.
    public var port: Int
    /// The state revision of this service's latest announcement.
    public var seq: Int

    /// A service at `host:port` announcing revision `seq` under `instanceName`.
    package init(instanceName: String, host: String, port: Int, seq: Int) {
        self.instanceName = instanceName
        self.host = host
        self.port = port
        self.seq = seq
    }

    /// `host:port`.
    public var address: String { "\(host):\(port)" }
}

/// An announcement that claims a device id but cannot be the device's own: encrypted data that
/// does not decrypt with the device's key, or plain data for a device that has a key. It is
/// reported and nothing of it is adopted (no address, no seq, no state).
public struct RejectedAnnouncement: Sendable, Equatable {
    /// The device id the announcement claimed.
    public var deviceID: String
    /// The service that made the claim, and where it says the device is.
    public var source: AnnouncementSource
    /// Why it was refused, in words (data that does not decrypt with the stored key, plain data for a keyed device).
    public var reason: String
    /// When it was refused.
    public var time: Date

    /// A refused claim of `deviceID` by `source`, and why.
    package init(deviceID: String, source: AnnouncementSource, reason: String, time: Date) {
        self.deviceID = deviceID
        self.source = source
        self.reason = reason
        self.time = time
    }
}

/// What discovery reports.
public enum DiscoveryEvent: Sendable, Equatable {
    /// A device seen for the first time since discovery started.
    case appeared(DiscoveredDevice)
    /// A new state revision, a new address, or a reboot (seq back to 1).
    case changed(DiscoveredDevice)
    /// The device's service went away on every interface (devices cannot say they are offline:
    /// this is only a hint).
    case disappeared(id: String)
    /// Every service Avahi knew of has been resolved: a one-shot listing can stop here.
    case complete
    /// A service of the type that is not a usable eWeLink announcement (malformed TXT).
    case invalid(name: String, reason: String)
    /// An announcement that failed the trust rule: reported, not adopted.
    case rejected(RejectedAnnouncement)
    /// Another service announced the id of a device without a key (`by`); the device (as its
    /// preferred source describes it, with every rival) is unchanged otherwise.
    case contested(DiscoveredDevice, by: AnnouncementSource)
    /// The browse failed (daemon gone); nothing more follows.
    case failed(AvahiError)
}

/// What a one-shot discovery found.
public struct DiscoveryReport: Sendable {
    /// The devices, by id, as their preferred source describes them.
    public var devices: [DiscoveredDevice]
    /// Announcements that claimed a device but failed the trust rule (latest per service).
    public var rejected: [RejectedAnnouncement]
    /// Every service Avahi knew of was resolved before the timeout.
    public var complete: Bool

    /// What a discovery that ended (`complete` or timed out) found.
    package init(devices: [DiscoveredDevice], rejected: [RejectedAnnouncement], complete: Bool) {
        self.devices = devices
        self.rejected = rejected
        self.complete = complete
    }
}
