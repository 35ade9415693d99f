/// Which routes a device's commands may take.
public enum RoutePolicy: String, Sendable, CaseIterable {
    /// LAN when reachable there, else the cloud (WebSocket, then REST).
    case auto
    /// Only the LAN; never the cloud.
    case lan
    /// Only the cloud; never the LAN.
    case cloud
}
