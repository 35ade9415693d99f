import EWeLinkCore

/// User settings of a device (nil keeps the cloud's default).
public struct DeviceSettings: Sendable, Equatable {
    public var opsNotify: Bool?
    public var opsHistory: Bool?
    public var alarmNotify: Bool?

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
