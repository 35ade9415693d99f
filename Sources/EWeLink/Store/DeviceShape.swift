import EWeLinkLAN

/// What kind of device a stored device is: what decides how its commands are built and what its
/// state means.
public struct DeviceShape: Sendable, Equatable {
    /// Its local type (`plug`, `strip`, `diy_plug`, …), from announcements or its `info` reply.
    public var type: DeviceType?
    /// The cloud's product number for it.
    public var uiid: Int?
    /// The cloud's model name.
    public var model: String?
    /// The firmware version it last reported.
    public var fwVersion: String?
    /// Its number of outlets (nil: not known; one).
    public var channels: Int?

    /// A shape; every part may be unknown.
    public init(type: DeviceType? = nil, uiid: Int? = nil, model: String? = nil, fwVersion: String? = nil,
                channels: Int? = nil) {
        self.type = type
        self.uiid = uiid
        self.model = model
        self.fwVersion = fwVersion
        self.channels = channels
    }
}
