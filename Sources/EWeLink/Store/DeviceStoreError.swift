/// Problems with the local device store.
public enum DeviceStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store file exists but cannot be read as a store; it is left untouched.
    case corrupt(path: String, reason: String)
    case invalidRecord(String)
    case io(path: String, reason: String)
    /// The store file or its folder is readable by others.
    case insecurePermissions(path: String, mode: String)

    public var description: String {
        switch self {
        case .corrupt(let path, let reason):
            return "the device store \(path) is corrupt (\(reason)); it was left untouched: fix or move it away"
        case .invalidRecord(let why): return "invalid device record: \(why)"
        case .io(let path, let reason): return "cannot access the device store \(path): \(reason)"
        case .insecurePermissions(let path, let mode):
            return "the device store \(path) has mode \(mode); it holds device keys and must be 0600 (chmod 600 \(path))"
        }
    }
}
