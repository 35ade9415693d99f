import EWeLinkCloud
import EWeLinkLAN

/// Why a command could not be carried out: what happened and what is missing. The text is the
/// library's and names no command or option of a front end; `ewelink` adds its own advice.
public enum ControlError: Error, Sendable, CustomStringConvertible {
    /// No device with this id or name in the store, and none announced on the LAN.
    case unknownDevice(String)
    /// Bad parameters from the caller (channel out of range, malformed JSON…).
    case invalidRequest(String)
    /// `toggle` needs the current state, and it is not known.
    case stateUnknown(deviceID: String)
    /// The device (`device`: its name as shown) is set to go through the cloud, and there is no
    /// cloud session.
    case noCloudSession(device: String)
    /// The endpoint has no cloud equivalent (the cloud only sets params) and the device is set to
    /// go through the cloud: it can go over the LAN only.
    case endpointNeedsLAN(endpoint: String, device: String)
    /// The LAN request failed; the `LANError` says how (unreachable, refused, an error code from the device).
    case lan(LANError)
    /// The device store could not be read or written.
    case store(DeviceStoreError)
    /// mDNS could not be used (no avahi-daemon, no D-Bus).
    case mdns(AvahiError)
    /// The LAN could not reach the device and the cloud fallback failed too.
    case cloud(CloudError, lan: String)

    /// One sentence naming the device, what failed, and what is missing.
    public var description: String {
        switch self {
        case .unknownDevice(let q):
            return "no device '\(q)' in the store or on the LAN"
        case .invalidRequest(let why): return why
        case .noCloudSession(let device):
            return "\(device) is set to go through the cloud, but there is no cloud session"
        case .endpointNeedsLAN(let endpoint, let device):
            return "endpoint '\(endpoint)' has no cloud equivalent and \(device) is set to go through the cloud"
        case .stateUnknown(let id):
            return "the current state of \(id) is unknown (not announced over mDNS): use on/off instead of toggle"
        case .lan(let e): return e.description
        case .store(let e): return e.description
        case .mdns(let e): return e.description
        case .cloud(let e, let lan): return "\(lan); the cloud fallback failed too: \(e)"
        }
    }
}
