import EWeLinkCore

/// One change of a batch: params for a device or a group.
public struct ThingUpdate: Sendable, Equatable {
    /// What `id` names.
    public enum Target: Int, Sendable {
        /// A device.
        case device = 1
        /// A group of devices.
        case group = 2
    }
    /// Whether `id` names a device or a group.
    public var target: Target
    /// The device or group id.
    public var id: String
    /// The parameters to set (`{"switch":"on"}`).
    public var params: JSONObject

    /// Set `params` on the device (or group) `id`.
    public init(_ target: Target = .device, id: String, params: JSONObject) {
        self.target = target
        self.id = id
        self.params = params
    }
}
