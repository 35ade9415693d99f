/// How a simulated device's LAN side misbehaves (set through the control API).
public enum LANFault: String, Sendable, CaseIterable {
    /// Normal firmware behaviour.
    case ok
    /// The port is closed: connections are refused.
    case refuse
    /// Connections are accepted and never answered.
    case blackhole
    /// Connections are reset as soon as they are accepted.
    case reset
    /// Requests are answered with bytes that are not JSON.
    case garbage
}

/// Fault settings of one device.
public struct DeviceFaults: Sendable, Equatable {
    public var lan: LANFault = .ok
    /// Delay before every LAN reply.
    public var delayMs: Int = 0
    /// Whether the device's mDNS service is published.
    public var announce: Bool = true
}
