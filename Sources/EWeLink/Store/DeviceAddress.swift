import EWeLinkLAN

/// Where a stored device is on the LAN, and how far that is trusted (README "Trust").
public struct DeviceAddress: Sendable, Equatable {
    /// Last known LAN address; a configured one (`devices add --host`) is never replaced by mDNS.
    public var host: String?
    /// Its port (8081 when not known).
    public var port: Int?
    /// The address was given by hand (`devices add --host`, `scan --add`).
    public var configured: Bool
    /// The device proved itself at `host`/`port`: with a key, its `info` reply there carried
    /// state encrypted with the key that names it (`ZeroconfClient.identityProblem`); without a
    /// key, it answered there. Until then no command is sent to the address (a device with a key)
    /// and nothing it says is learnt. Cleared when the address changes or the device stops
    /// answering there.
    public var verified: Bool
    /// `host`/`port` came from an announcement in this process and are not confirmed yet: the
    /// device has not answered there correctly (never stored; see `LANController.send`).
    public var unconfirmed = false
    /// The other services that announced the id when `host`/`port` were taken from an
    /// announcement in this process (never stored): the candidates when that address fails to
    /// prove itself, and for a device without a key a sign that no address can be trusted.
    public var rivals: [AnnouncementSource] = []

    /// An address; `verified` only counts with a host.
    public init(host: String? = nil, port: Int? = nil, configured: Bool = false, verified: Bool = false) {
        self.host = host
        self.port = port
        self.configured = configured
        self.verified = verified && host != nil
    }
}
