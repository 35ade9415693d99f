/// A device's LAN key (`devicekey` in the cloud's thing list): the secret every encrypted LAN
/// message of that device is sealed with (AES-128 with MD5 of the key).
///
/// It never prints itself: `description`, `debugDescription` and string interpolation show
/// `DeviceKey(…)`, so a key cannot reach a log or an error message by accident. Code that must
/// hand the key on (the cipher, the store) reads ``secret``.
public struct DeviceKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The key as the cloud gives it (usually a UUID-shaped string of 36 characters).
    public let secret: String

    /// A key from its text; nil for an empty one (an empty key is no key).
    public init?(_ secret: String) {
        guard !secret.isEmpty else { return nil }
        self.secret = secret
    }

    /// Always `DeviceKey(…)`: the key itself is never shown.
    public var description: String { "DeviceKey(…)" }

    /// Always `DeviceKey(…)`: the key itself is never shown.
    public var debugDescription: String { description }
}
