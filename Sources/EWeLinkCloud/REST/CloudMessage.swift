import EWeLinkCore

/// A message of the message center.
public struct CloudMessage: Sendable, Equatable {
    /// The message's id.
    public var id: String
    /// `shareNotify_v2`, `cancelShareNotify_v2`, `opsNotify_v2`, `pushNotify_v2`, `alarmNotify_v2`,
    /// `IOTCameraNotify_v2`.
    public var type: String
    /// The content; its shape depends on the type.
    public var message: JSONValue
    /// Milliseconds since 1970.
    public var date: Int

    init?(_ v: JSONValue) {
        guard let id = v["msgid"]?.stringValue, let type = v["msgType"]?.stringValue else { return nil }
        self.id = id
        self.type = type
        message = v["message"] ?? .null
        date = v["date"]?.intValue ?? 0
    }
}
