import EWeLinkLAN
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The local key store: every device's devicekey, apikey, name, type, channels, last address and
/// last state, in one JSON file (mode 0600) that is only ever replaced atomically.
///
/// Location: `$EWELINK_HOME/devices.json`, default `${XDG_CONFIG_HOME:-~/.config}/ewelink/devices.json`.
/// Read-modify-write cycles hold an exclusive `flock` so concurrent commands lose nothing.
public struct DeviceStore: Sendable {
    public let directory: String
    public var path: String { directory + "/devices.json" }
    private var lockPath: String { directory + "/devices.json.lock" }

    /// How often this store (and its copies) read and wrote the file: what a command costs.
    public let access = StoreAccessCounts()

    public init(directory: String) { self.directory = directory }

    /// The store at the standard location for this environment.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> DeviceStore {
        DeviceStore(directory: homeDirectory(environment: environment))
    }

    /// `$EWELINK_HOME`, else `${XDG_CONFIG_HOME:-~/.config}/ewelink`.
    public static func homeDirectory(environment: [String: String]) -> String {
        if let home = environment["EWELINK_HOME"], !home.isEmpty { return home }
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return config + "/ewelink"
    }

    /// All devices (empty when there is no store yet).
    public func load() throws(DeviceStoreError) -> [StoredDevice] {
        access.reads.add(1, ordering: .relaxed)
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw .io(path: path, reason: "not readable") }
            return []
        }
        return try Self.decode(Array(data), path: path)
    }

    static func decode(_ bytes: [UInt8], path: String) throws(DeviceStoreError) -> [StoredDevice] {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch { throw .corrupt(path: path, reason: error.description) }
        guard let list = root["devices"]?.arrayValue else {
            throw .corrupt(path: path, reason: "no \"devices\" array")
        }
        var out: [StoredDevice] = []
        for item in list {
            guard let o = item.objectValue else { throw .corrupt(path: path, reason: "a device is not an object") }
            do { out.append(try StoredDevice(json: o)) } catch {
                throw .corrupt(path: path, reason: error.description)
            }
        }
        return out
    }

    /// Reads, lets `body` change the list, and writes it back atomically, under an exclusive lock.
    /// Nothing is written when `body` throws or leaves the list unchanged.
    @discardableResult
    public func update<T>(_ body: (inout [StoredDevice]) throws -> T) throws -> T {
        try ensureDirectory()
        let lock = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw DeviceStoreError.io(path: lockPath, reason: String(cString: strerror(errno))) }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else {
            throw DeviceStoreError.io(path: lockPath, reason: String(cString: strerror(errno)))
        }
        defer { flock(lock, LOCK_UN) }
        let before = try load()
        var devices = before
        let result = try body(&devices)
        if devices != before { try write(devices) }
        return result
    }

    /// Changes the stored device `deviceID` (nothing happens when it is not in the store), with
    /// the same lock and atomic write as `update`.
    public func update(device deviceID: String, _ body: (inout StoredDevice) -> Void) throws {
        try update { list in
            guard let i = list.firstIndex(where: { $0.id == deviceID }) else { return }
            body(&list[i])
        }
    }

    /// Finds a device by id, or by name (case-insensitive).
    public func find(_ query: String, in devices: [StoredDevice]) -> StoredDevice? {
        if let d = devices.first(where: { $0.id == query }) { return d }
        let q = query.lowercased()
        if let d = devices.first(where: { $0.id.lowercased() == q }) { return d }
        return devices.first { $0.name?.lowercased() == q }
    }

    private func ensureDirectory() throws(DeviceStoreError) {
        do { try AtomicFile.ensureDirectory(directory) } catch {
            guard case .io(let p, let reason) = error else { return }
            throw .io(path: p, reason: reason)
        }
    }

    private func write(_ devices: [StoredDevice]) throws(DeviceStoreError) {
        let doc: JSONValue = ["version": 1, "devices": .array(devices.map { .object($0.json) })]
        access.writes.add(1, ordering: .relaxed)
        do { try AtomicFile.write(Self.pretty(doc), to: path) } catch {
            guard case .io(let p, let reason) = error else { return }
            throw .io(path: p, reason: reason)
        }
    }

    /// One device per line: readable, and still compact.
    static func pretty(_ doc: JSONValue) -> [UInt8] {
        guard let devices = doc["devices"]?.arrayValue else { return doc.serializedBytes }
        var out = Array("{\"version\":1,\"devices\":[\n".utf8)
        for (n, d) in devices.enumerated() {
            out += Array("  ".utf8) + d.serializedBytes
            out += Array((n + 1 < devices.count ? ",\n" : "\n").utf8)
        }
        out += Array("]}\n".utf8)
        return out
    }
}

/// Reads and writes of one store's file, counted so tests can hold a command to one read and no
/// needless write.
public final class StoreAccessCounts: Sendable {
    let reads = Atomic<Int>(0)
    let writes = Atomic<Int>(0)
    init() {}
    /// Times the file was read (`load`, and the read inside each `update`).
    public var readCount: Int { reads.load(ordering: .relaxed) }
    /// Times the file was replaced.
    public var writeCount: Int { writes.load(ordering: .relaxed) }
}
