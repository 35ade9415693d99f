import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a stored device's routes have been doing: the routes it may take, how its LAN answers,
/// what the cloud says of it, and the last state and revision seen.
public struct RouteHealth: Sendable, Equatable {
    /// Which routes commands may take (`auto` by default).
    public var policy: RoutePolicy = .auto
    /// How the LAN has been answering lately (reply times, consecutive failures).
    public var lan = LANHealth()
    /// What the cloud last said about the device being online (thing list or `sysmsg`).
    public var cloudOnline: Bool?
    /// The last state seen (LAN reply, announcement or cloud).
    public var lastState: JSONObject?
    /// The revision of the last state seen on the LAN.
    public var lastSeq: Int?
    /// When the device was last seen on the LAN.
    public var lastSeen: Date?

    /// A health record; nothing known by default.
    public init(policy: RoutePolicy = .auto, lan: LANHealth = LANHealth(), cloudOnline: Bool? = nil,
                lastState: JSONObject? = nil, lastSeq: Int? = nil, lastSeen: Date? = nil) {
        self.policy = policy
        self.lan = lan
        self.cloudOnline = cloudOnline
        self.lastState = lastState
        self.lastSeq = lastSeq
        self.lastSeen = lastSeen
    }
}
