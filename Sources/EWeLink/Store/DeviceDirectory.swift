import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where the devices are: the store (`devices.json`), lookup by id or name, and mDNS (the
/// avahi-daemon) for what the store does not know.
///
/// The store file is read once and kept; it is read again only when another process replaced it
/// (its inode, size or mtime changed), so one command reads it once. What a command learns is
/// written back only when someone would miss it (see `DeviceDirectory+WritePolicy`): an address
/// confirmed, a key, a type or command shape, a LAN failure or recovery. Bookkeeping that changes
/// on every reply (`lastSeen`, `lastSeq`, reply times, the value of the last state) is kept in
/// memory and goes out with the next write that happens anyway, or once it is stale, so a
/// Raspberry Pi's SD card is not rewritten for each `ewelink on`.
public final class DeviceDirectory: Sendable {
    /// How it looks devices up and how often it writes bookkeeping.
    public struct Options: Sendable {
        /// How long a one-shot mDNS lookup may take when the address is unknown or went stale.
        public var resolveTimeout: Duration = .seconds(3)
        /// The network interface mDNS lookups use (nil: every interface the avahi-daemon serves).
        public var interfaceIndex: Int32? = nil
        /// Bookkeeping not written yet goes out at the latest when the stored copy is this old.
        public var batchInterval: Duration = .seconds(600)
        /// The defaults: 3 s lookups on every interface, bookkeeping written at least every 10 minutes.
        public init() {}
    }

    /// The store it reads once per command and writes only when something worth keeping changed.
    public let store: DeviceStore
    /// The options it was made with.
    public let options: Options
    private let avahi = Mutex<AvahiConnection?>(nil)
    private let state = Mutex(Cache())
    private let problemHandler = Mutex<(@Sendable (DeviceStoreError) -> Void)?>(nil)

    /// The file as last read, and what this process learnt since that was not worth a write.
    /// Lookups by id and by name go through indexes made once per read of the file: a long-running
    /// process (the hub) with hundreds of devices pays O(1) per command, not a copy of the list.
    struct Cache {
        var stamp: FileStamp??
        private(set) var disk: [StoredDevice] = []
        var pending: [String: StoredDevice] = [:]
        var problems: [DeviceStoreError] = []
        /// Position in `disk` by id, by lowercased id, by lowercased name (the first of each wins,
        /// as `DeviceStore.find` picks).
        private(set) var byID: [String: Int] = [:]
        private(set) var byLowerID: [String: Int] = [:]
        private(set) var byName: [String: Int] = [:]

        mutating func setDisk(_ devices: [StoredDevice]) {
            disk = devices
            byID = [:]
            byLowerID = [:]
            byName = [:]
            for (i, d) in devices.enumerated() {
                if byID[d.id] == nil { byID[d.id] = i }
                if byLowerID[d.id.lowercased()] == nil { byLowerID[d.id.lowercased()] = i }
                if let name = d.name?.lowercased(), byName[name] == nil { byName[name] = i }
            }
        }

        /// The device at `i` on disk with what this process learnt since.
        func current(_ i: Int) -> StoredDevice {
            let d = disk[i]
            return pending[d.id].map { d.withBookkeeping(of: $0) } ?? d
        }

        /// `DeviceStore.find`'s choice: the exact id, else the id or the name in any case.
        func find(_ query: String) -> Int? {
            if let i = byID[query] { return i }
            let q = query.lowercased()
            return byLowerID[q] ?? byName[q]
        }
    }

    /// A directory over `store` (the standard one by default).
    public init(store: DeviceStore, options: Options = Options()) {
        self.store = store
        self.options = options
    }

    // MARK: Store problems

    /// Called with each store error met while recording what a command learnt (the command itself
    /// succeeded; the store could not be written). The CLI prints these as warnings.
    public func onStoreProblem(_ handler: @escaping @Sendable (DeviceStoreError) -> Void) {
        problemHandler.withLock { $0 = handler }
    }

    /// The store errors met while recording, oldest first (also when no handler is set).
    public var storeProblems: [DeviceStoreError] { state.withLock { $0.problems } }

    func report(_ error: DeviceStoreError) {
        state.withLock { $0.problems.append(error) }
        problemHandler.withLock { $0 }?(error)
    }

    // MARK: Reading

    /// Every stored device, with what this process learnt since the last write.
    public func devices() throws(ControlError) -> [StoredDevice] {
        try withCurrent { Self.overlay($0) }
    }

    /// `body` on the cache, the file read first when it is not the one last read.
    private func withCurrent<T>(_ body: (Cache) -> T) throws(ControlError) -> T {
        let stamp = FileStamp(path: store.path)
        if let cached = state.withLock({ c -> T? in c.stamp == .some(stamp) ? body(c) : nil }) {
            return cached
        }
        let loaded: [StoredDevice]
        do { loaded = try store.load() } catch { throw .store(error) }
        return state.withLock { c in
            c.stamp = .some(stamp)
            c.setDisk(loaded)
            return body(c)
        }
    }

    private static func overlay(_ cache: Cache) -> [StoredDevice] {
        guard !cache.pending.isEmpty else { return cache.disk }
        return cache.disk.map { d in cache.pending[d.id].map { d.withBookkeeping(of: $0) } ?? d }
    }

    /// The stored device named by `query` (id or name, case-insensitive). An id that is not in the
    /// store is looked up over mDNS (DIY devices need no key).
    public func device(_ query: String) async throws(ControlError) -> StoredDevice {
        if let d = try withCurrent({ c in c.find(query).map(c.current) }) { return d }
        guard query.count >= 6, query.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
              let found = try await lookup(query) else {
            throw .unknownDevice(query)
        }
        var device = StoredDevice(id: found.id, type: found.type, host: found.host, port: found.port,
                                  lastState: found.state, lastSeq: found.seq, lastSeen: found.lastSeen)
        device.addressUnconfirmed = true
        device.announcedRivals = found.rivals
        return device
    }

    /// The id of the stored device named by `query` (id or name, case-insensitive), if any; no
    /// mDNS lookup.
    public func storedID(_ query: String) throws(ControlError) -> String? {
        try withCurrent { c in c.find(query).map { c.disk[$0].id } }
    }

    /// The stored device with this id, if any.
    public func stored(_ deviceID: String) throws(ControlError) -> StoredDevice? {
        try withCurrent { c in c.byID[deviceID].map(c.current) }
    }

    // MARK: mDNS

    /// The Avahi connection, made on first use (commands to known hosts never need one).
    public func connection() throws(ControlError) -> AvahiConnection {
        if let existing = avahi.withLock({ $0 }) { return existing }
        do {
            let created = try AvahiConnection()
            return avahi.withLock { current in
                if let current { return current }
                current = created
                return created
            }
        } catch {
            throw .mdns(error)
        }
    }

    /// What discovery may trust, from the store: each device's key, and the address where it last
    /// answered correctly (or the configured one).
    public func trust() throws(ControlError) -> (keys: LANDiscovery.KeyLookup, addresses: LANDiscovery.AddressLookup) {
        let stored = try devices()
        let keys = Dictionary(stored.compactMap { d in d.devicekey.map { (d.id, $0) } }, uniquingKeysWith: { a, _ in a })
        let addresses = Dictionary(stored.compactMap { d in d.host.map { (d.id, "\($0):\(d.port ?? LANProtocol.port)") } },
                                   uniquingKeysWith: { a, _ in a })
        return ({ keys[$0] }, { addresses[$0] })
    }

    /// A fresh mDNS lookup of one device; nil when it is not announced.
    /// `cacheOnly`: only what the avahi-daemon already knows (milliseconds), no fresh query.
    /// `everySource`: every service claiming the id, as `rivals` (see `LANDiscovery.search`).
    /// Announcements that fail the trust rule are not returned; when only such announcements were
    /// seen, this throws `decryptionFailed` (a wrong key, or another host claiming the id).
    public func lookup(_ deviceID: String, cacheOnly: Bool = false,
                       everySource: Bool = false) async throws(ControlError) -> DiscoveredDevice? {
        let (keys, addresses) = try trust()
        do {
            let (found, rejected) = try await LANDiscovery.search(
                deviceID, connection: try connection(), interfaceIndex: options.interfaceIndex,
                timeout: options.resolveTimeout, keys: keys, trustedAddress: addresses, cacheOnly: cacheOnly,
                everySource: everySource)
            if found == nil, let r = rejected.last {
                throw ControlError.lan(.decryptionFailed(
                    deviceID: deviceID,
                    reason: "the announcement at \(r.source.address) (\(r.source.instanceName)) was rejected: \(r.reason); "
                        + "either the stored devicekey is wrong or another host claims the id"))
            }
            // A search stops at the first service that claims the id, but a device without a key
            // cannot prove which claimant is real: its rivals must be known before a command goes
            // anywhere (README "Trust"). A second look, at the daemon's cache only (milliseconds).
            if let found, !found.encrypted, !everySource, keys(deviceID) == nil,
               let every = try? await lookup(deviceID, cacheOnly: true, everySource: true) {
                return every
            }
            return found
        } catch let error as ControlError {
            throw error
        } catch let error as AvahiError {
            throw .mdns(error)
        } catch {
            throw .mdns(.failure(operation: "resolve", message: "\(error)"))
        }
    }

    // MARK: Recording

    /// Changes what is known of stored devices. Written at once (atomically, under the store's
    /// lock, on the file's current content) when a change is one someone would miss; otherwise kept
    /// in memory until the next write. Errors are reported (`onStoreProblem`), not thrown: the
    /// command that taught this has already been carried out.
    public func record(_ ids: [String], _ body: @escaping @Sendable (inout StoredDevice) -> Void) {
        let known: [(now: StoredDevice, disk: StoredDevice)]
        do {
            known = try withCurrent { c in Set(ids).compactMap { id in c.byID[id].map { (c.current($0), c.disk[$0]) } } }
        } catch {
            if case .store(let e) = error { report(e) }
            return
        }
        var changed: [String: StoredDevice] = [:]
        var material = false
        for (now, before) in known {
            var after = now
            let id = now.id
            body(&after)
            guard after != before else { continue }
            changed[id] = after
            if Self.needsWrite(stored: before, now: after, batchInterval: options.batchInterval) { material = true }
        }
        guard !changed.isEmpty else { return }
        guard material else {
            state.withLock { c in for (id, d) in changed { c.pending[id] = d } }
            return
        }
        write(applying: body, to: Set(changed.keys))
    }

    /// One device; see `record(_:_:)`.
    public func record(_ deviceID: String, _ body: @escaping @Sendable (inout StoredDevice) -> Void) {
        record([deviceID], body)
    }

    /// Merges what a source says about a stored device (`StoredDevice.merge`, the rule
    /// `DeviceStore.upsert` uses), written by `record`'s policy. A device not in the store is left
    /// out: learning along the way adds none.
    public func learn(_ facts: DeviceFacts) {
        record(facts.id) { $0.merge(facts) }
    }

    /// Writes what is pending for every device, and `body` applied to `ids`, on the file's current
    /// content.
    private func write(applying body: (inout StoredDevice) -> Void, to ids: Set<String>) {
        let pending = state.withLock { $0.pending }
        do {
            try store.update { list in
                for i in list.indices {
                    if let p = pending[list[i].id] { list[i] = list[i].withBookkeeping(of: p) }
                    if ids.contains(list[i].id) { body(&list[i]) }
                }
            }
            // Read again when next asked (another process may have written in between).
            state.withLock { c in
                c.pending = [:]
                c.stamp = nil
            }
        } catch let error as DeviceStoreError {
            report(error)
        } catch {
            report(.io(path: store.path, reason: "\(error)"))
        }
    }

    /// Writes whatever this process learnt and kept in memory (a long-running application may
    /// call it before exiting; one-shot commands need not).
    public func flush() {
        let ids = state.withLock { Set($0.pending.keys) }
        guard !ids.isEmpty else { return }
        write(applying: { _ in }, to: [])
    }
}

/// What identifies one version of a file: replaced atomically, a new version has a new inode.
struct FileStamp: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var mtimeSeconds: Int
    var mtimeNanoseconds: Int

    /// nil when there is no file.
    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        #if canImport(Darwin)
        mtimeSeconds = Int(st.st_mtimespec.tv_sec)
        mtimeNanoseconds = Int(st.st_mtimespec.tv_nsec)
        #else
        mtimeSeconds = Int(st.st_mtim.tv_sec)
        mtimeNanoseconds = Int(st.st_mtim.tv_nsec)
        #endif
    }
}
