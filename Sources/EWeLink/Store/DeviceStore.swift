import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The local key store: every device's devicekey, apikey, name, type, channels, last address and
/// last state, in one JSON file (mode 0600) that is only ever replaced atomically.
///
/// Location: `$EWELINK_HOME/devices.json`, default `${XDG_CONFIG_HOME:-~/.config}/ewelink/devices.json`.
/// Read-modify-write cycles hold an exclusive `flock` so concurrent commands lose nothing.
/// Nothing is read from a folder or file another user could have written (see `loadDocument`).
/// Members a newer version wrote are kept; a file in a newer format is read but never written.
public struct DeviceStore: Sendable {
    /// The folder holding `devices.json` (mode 0700, the user's own).
    public let directory: String
    /// The store file, `devices.json` in `directory` (mode 0600).
    public var path: String { directory + "/devices.json" }
    private var lockPath: String { directory + "/devices.json.lock" }

    /// How often this store (and its copies) read and wrote the file: what a command costs.
    package let access = StoreAccessCounts()

    /// The store in `directory` (nothing is read or created until it is used).
    public init(directory: String) { self.directory = directory }

    /// The store at the standard location for this environment (`homeDirectory(environment:)`).
    package static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> DeviceStore {
        DeviceStore(directory: homeDirectory(environment: environment))
    }

    /// `$EWELINK_HOME`, else `${XDG_CONFIG_HOME:-~/.config}/ewelink`.
    public static func homeDirectory(environment: [String: String]) -> String {
        if let home = environment["EWELINK_HOME"], !home.isEmpty { return home }
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path) + "/.config")
        return config + "/ewelink"
    }

    /// The store format this version reads and writes.
    public static let formatVersion = 1

    /// All devices (empty when there is no store yet).
    public func load() throws(DeviceStoreError) -> [StoredDevice] {
        try loadDocument().devices
    }

    /// The whole file: its format, the members this version does not know, and the devices. The
    /// folder and the file must be ours before a byte is read (`AtomicFile.checkDirectory`,
    /// `AtomicFile.readPrivate`): a store someone else could have written is refused, not used.
    func loadDocument() throws(DeviceStoreError) -> StoreDocument {
        access.reads.add(1, ordering: .relaxed)
        let bytes: [UInt8]?
        do {
            guard try AtomicFile.checkDirectory(directory) else { return StoreDocument() }
            bytes = try AtomicFile.readPrivate(path)
        } catch { throw DeviceStoreError(error) }
        guard let bytes else { return StoreDocument() }
        return try Self.decode(bytes, path: path)
    }

    static func decode(_ bytes: [UInt8], path: String) throws(DeviceStoreError) -> StoreDocument {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch { throw .corrupt(path: path, reason: error.description) }
        guard let object = root.objectValue, let list = object["devices"]?.arrayValue else {
            throw .corrupt(path: path, reason: "no \"devices\" array")
        }
        var version = formatVersion
        if let v = object["version"] {
            guard let n = v.intValue, n >= 1 else { throw .corrupt(path: path, reason: "\"version\" is not a positive integer") }
            version = n
        }
        var out: [StoredDevice] = []
        for item in list {
            guard let o = item.objectValue else { throw .corrupt(path: path, reason: "a device is not an object") }
            do { out.append(try StoredDevice(json: o)) } catch {
                throw .corrupt(path: path, reason: error.description)
            }
        }
        let extra = object.entries.filter { $0.key != "version" && $0.key != "devices" }.map { ($0.key, $0.value) }
        return StoreDocument(version: version, unknownFields: JSONObject(extra), devices: out)
    }

    /// Reads, lets `body` change the list, and writes it back atomically, under an exclusive lock.
    /// Nothing is written when `body` throws or leaves the list unchanged.
    @discardableResult
    public func update<T>(_ body: (inout [StoredDevice]) throws -> T) throws -> T {
        let lock = try openLock()
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else {
            throw DeviceStoreError.io(path: lockPath, reason: String(cString: strerror(errno)))
        }
        defer { flock(lock, LOCK_UN) }
        let document = try loadDocument()
        var devices = document.devices
        let result = try body(&devices)
        if devices != document.devices {
            // A newer version's file would lose what this one cannot express: left as it is.
            guard document.version <= Self.formatVersion else {
                throw DeviceStoreError.newerFormat(path: path, version: document.version, supported: Self.formatVersion)
            }
            var changed = document
            changed.devices = devices
            try write(changed)
        }
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

    /// The lock file, in a folder made or checked first; never opened through a symbolic link.
    private func openLock() throws(DeviceStoreError) -> Int32 {
        do {
            try AtomicFile.ensureDirectory(directory)
            return try AtomicFile.openLock(lockPath)
        } catch { throw DeviceStoreError(error) }
    }

    private func write(_ document: StoreDocument) throws(DeviceStoreError) {
        access.writes.add(1, ordering: .relaxed)
        do { try AtomicFile.write(Self.pretty(document), to: path) } catch { throw DeviceStoreError(error) }
    }

    /// One device per line: readable, and still compact. Members this version does not know
    /// follow the version, as they were.
    static func pretty(_ document: StoreDocument) -> [UInt8] {
        var head: JSONObject = ["version": .int(formatVersion)]
        for (key, value) in document.unknownFields { head[key] = value }
        var out = JSONValue.object(head).serializedBytes
        out.removeLast()   // the closing brace: the devices follow
        out += Array(",\"devices\":[\n".utf8)
        for (n, d) in document.devices.enumerated() {
            out += Array("  ".utf8) + JSONValue.object(d.json).serializedBytes
            out += Array((n + 1 < document.devices.count ? ",\n" : "\n").utf8)
        }
        out += Array("]}\n".utf8)
        return out
    }
}

/// Reads and writes of one store's file, counted so tests can hold a command to one read and no
/// needless write.
package final class StoreAccessCounts: Sendable {
    let reads = Atomic<Int>(0)
    let writes = Atomic<Int>(0)
    init() {}
    /// Times the file was read (`load`, and the read inside each `update`).
    package var readCount: Int { reads.load(ordering: .relaxed) }
    /// Times the file was replaced.
    package var writeCount: Int { writes.load(ordering: .relaxed) }
}
