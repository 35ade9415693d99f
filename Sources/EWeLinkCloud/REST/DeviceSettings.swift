import EWeLinkCore

/// User settings of a device (nil keeps the cloud's default).
public struct DeviceSettings: Sendable, Equatable {
    /// Whether the owner is notified of operations on the device.
    public var opsNotify: Bool?
    /// Whether operations are kept in the device's history.
    public var opsHistory: Bool?
    /// Whether the owner is notified of the device's alarms.
    public var alarmNotify: Bool?

    /// The settings to change; nil ones are left as they are.
    public init(opsNotify: Bool? = nil, opsHistory: Bool? = nil, alarmNotify: Bool? = nil) {
        self.opsNotify = opsNotify
        self.opsHistory = opsHistory
        self.alarmNotify = alarmNotify
    }

    var json: JSONObject {
        var o: JSONObject = [:]
        if let opsNotify { o["opsNotify"] = .int(opsNotify ? 1 : 0) }
        if let opsHistory { o["opsHistory"] = .int(opsHistory ? 1 : 0) }
        if let alarmNotify { o["alarmNotify"] = .int(alarmNotify ? 1 : 0) }
        return o
    }
}
