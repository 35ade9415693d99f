/// Why a LAN command failed: what happened, to which device, and what is missing. The text names
/// no command or option of a front end (the CLI adds its own advice).
public enum LANError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing listens at the address (device off, wrong address, or a firewall rejecting).
    case lanRefused(host: String, port: Int)
    /// No reply within the timeout (device busy, asleep, or unreachable).
    case lanTimeout(host: String, port: Int, afterMs: Int)
    /// The device kept resetting the connection (another client talking to it).
    case lanReset(host: String, port: Int, attempts: Int)
    /// The device answered with an error code.
    case lanError(code: Int, deviceID: String)
    /// The device answered something that is not a zeroconf reply (HTML, garbage).
    case invalidReply(host: String, port: Int, reason: String)
    /// The reply crossed a cap (`part` is "header", "body" or "chunk-size line"): real replies are
    /// under 2 KB, so this is a broken or hostile peer. The connection was closed at once.
    case replyTooLarge(host: String, port: Int, part: String, limitBytes: Int)
    /// The device encrypts its API but no devicekey is known for it.
    case deviceKeyMissing(deviceID: String)
    /// The device could not decrypt our request (error 400 to an encrypted request).
    case keyRejected(deviceID: String)
    /// A reply could not be decrypted with the stored key.
    case decryptionFailed(deviceID: String, reason: String)
    /// No LAN address is known and mDNS did not find the device.
    case noAddress(deviceID: String)
    /// Other transport failures.
    case transport(host: String, port: Int, reason: String)
    /// Not sent (or not retried): the command was already answered by another route and a newer
    /// one for the device exists.
    case superseded(deviceID: String)
    /// Not sent: the endpoint name is not of the protocol's form (see `ZeroconfEndpoint`).
    case invalidEndpoint(String)
    /// Not sent: the host at an address not yet verified for a device with a key answered, but did
    /// not prove it is that device (its `info` reply must carry state encrypted with the key that
    /// names the device). Anyone on the LAN can replay the device's announcement and acknowledge
    /// requests; only the device can do this.
    case addressUnproven(deviceID: String, host: String, port: Int, reason: String)
    /// Not sent: several services claim a device that has no key (DIY), so none can prove it is the
    /// device, and the address to use has never answered for it before.
    case addressContested(deviceID: String, addresses: [String])
    /// Not sent: the caller stopped waiting while earlier requests to the device were still out.
    case cancelled(deviceID: String)

    /// One sentence naming the device or address, what failed, and what is missing.
    public var description: String {
        switch self {
        case .lanRefused(let h, let p):
            return "connection refused by \(h):\(p): the device is off, has another address, or TCP \(p) is blocked"
        case .lanTimeout(let h, let p, let ms):
            return "no reply from \(h):\(p) within \(ms) ms: the device is busy, asleep or unreachable"
        case .lanReset(let h, let p, let n):
            return "\(h):\(p) reset the connection \(n) times: another client keeps the device busy; try again"
        case .lanError(let code, let id):
            var text = "device \(id) answered error \(LANErrorCode.describe(code))"
            if code == 400 { text += "; if every command fails, the stored devicekey is probably wrong" }
            if code == 401 { text += "; add its devicekey" }
            return text
        case .invalidReply(let h, let p, let why):
            return "\(h):\(p) did not answer like an eWeLink device (\(why))"
        case .replyTooLarge(let h, let p, let part, let limit):
            return "reply too large from \(h):\(p): its \(part) passed \(limit / 1024) KB (eWeLink replies are under 2 KB); "
                + "the connection was closed: check what answers at that address"
        case .deviceKeyMissing(let id):
            return "no devicekey for \(id): its LAN API is encrypted"
        case .keyRejected(let id):
            return "device \(id) could not decrypt the request (error 400): the stored devicekey is wrong"
        case .decryptionFailed(let id, let why):
            return "cannot decrypt the reply of \(id) (\(why)): the stored devicekey is probably wrong"
        case .noAddress(let id):
            return "no LAN address for \(id): it was not found over mDNS"
        case .transport(let h, let p, let why):
            return "LAN request to \(h):\(p) failed: \(why)"
        case .superseded(let id):
            return "the LAN copy of a command to \(id) was dropped: a newer command replaced it"
        case .invalidEndpoint(let name):
            let shown = name.count > 40 ? String(name.prefix(40)) + "…" : name
            return "'\(shown)' is not a zeroconf endpoint: endpoints are ASCII letters and '_' "
                + "(switch, pulse, sledonline…); nothing was sent"
        case .addressUnproven(let id, let h, let p, let why):
            return "\(h):\(p) did not prove it is device \(id) (\(why)); nothing was sent there"
        case .cancelled(let id):
            return "the request to \(id) was given up before it was sent: its caller stopped waiting"
        case .addressContested(let id, let addresses):
            return "\(addresses.count) services claim device \(id) (\(addresses.joined(separator: ", "))) and it has no "
                + "devicekey, so none can prove it is the device; nothing was sent"
        }
    }

    /// Whether another route (or a fresh address) might work: the device did not answer at all.
    public var isUnreachable: Bool {
        switch self {
        case .lanRefused, .lanTimeout, .lanReset, .noAddress, .transport: return true
        default: return false
        }
    }
}
