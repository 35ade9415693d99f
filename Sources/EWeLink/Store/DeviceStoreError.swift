import EWeLinkLAN

/// Problems with the local device store.
public enum DeviceStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store file exists but cannot be read as a store; it is left untouched.
    case corrupt(path: String, reason: String)
    /// A device record in the file that cannot be read (no id, a member of the wrong type).
    case invalidRecord(String)
    /// Reading, writing or locking the store file failed at the system level.
    case io(path: String, reason: String)
    /// The store file or its folder is readable by others.
    case insecurePermissions(path: String, mode: String)
    /// The folder or a file in it could be controlled by another user (theirs, a symbolic link,
    /// a shared folder): nothing was read from it or written to it.
    case unsafe(path: String, reason: String)
    /// The file is in a newer format than this version writes; it was left as it is.
    case newerFormat(path: String, version: Int, supported: Int)

    /// One sentence naming the file, what is wrong, and what to do about it.
    public var description: String {
        switch self {
        case .corrupt(let path, let reason):
            return "the device store \(path) is corrupt (\(reason)); it was left untouched: fix or move it away"
        case .invalidRecord(let why): return "invalid device record: \(why)"
        case .io(let path, let reason): return "cannot access the device store \(path): \(reason)"
        case .insecurePermissions(let path, let mode):
            return "the device store \(path) has mode \(mode); it holds device keys and must be 0600 (chmod 600 \(path))"
        case .unsafe(let path, let reason):
            return "refusing the device store at \(path): \(reason)"
        case .newerFormat(let path, let version, let supported):
            return "the device store \(path) is in format \(version), written by a newer version; this one writes "
                + "format \(supported) and would lose what it cannot express, so it left the file as it is"
        }
    }

    /// The store's form of a failure of the file layer.
    init(_ failure: AtomicFile.Failure) {
        switch failure {
        case .io(let path, let reason): self = .io(path: path, reason: reason)
        case .unsafe(let path, let reason): self = .unsafe(path: path, reason: reason)
        }
    }
}
