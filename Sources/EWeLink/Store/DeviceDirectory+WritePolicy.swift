import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DeviceDirectory {
    /// Whether a device's record changed in a way someone would miss if it stayed in memory: the
    /// next process, or the user reading `ewelink devices`.
    ///
    /// Written at once: anything but the bookkeeping below (an address, key, type, name, channels,
    /// policy, LAN failures or recovery, a probe or cache miss, the cloud's online word); a state of
    /// a new shape (other fields, another number of outlets: the next command is built from it);
    /// the first reply time, or a learnt LAN wait that grew (a slower device must not be given up
    /// on too early by the next process); and everything once the stored copy is `batchInterval`
    /// old. Kept in memory: `lastSeen`, `lastSeq`, further reply times, and state values.
    static func needsWrite(stored: StoredDevice, now: StoredDevice, batchInterval: Duration) -> Bool {
        if now.withBookkeeping(of: stored) != stored { return true }
        if stateShape(stored.lastState) != stateShape(now.lastState) { return true }
        if stored.lanHealth.replyMs.isEmpty != now.lanHealth.replyMs.isEmpty { return true }
        if waitGrew(from: stored.lanHealth, to: now.lanHealth) { return true }
        guard let seen = now.lastSeen, seen != stored.lastSeen else { return false }
        guard let before = stored.lastSeen else { return true }
        return seen.timeIntervalSince(before) >= batchInterval.inSeconds
    }

    /// The fields of a state and, for `switches`, its outlets: what decides how a command is built.
    static func stateShape(_ state: JSONObject?) -> [String]? {
        guard let state else { return nil }
        var shape = state.keys.sorted()
        if let outlets = state["switches"]?.arrayValue {
            shape += outlets.compactMap { $0["outlet"]?.intValue }.sorted().map { "outlet \($0)" }
        }
        return shape
    }

    /// The learnt wait grew by more than half and more than 20 ms (less is noise: a reply slowed
    /// by a busy moment). Only the wait: a next process that gives up too early falls back to the
    /// cloud for nothing, while a hedge delay learnt a little short only sends an extra cloud copy
    /// of an absolute command, and its growth (twice a reply of a few ms) would rewrite the file
    /// on every busy moment.
    static func waitGrew(from old: LANHealth, to new: LANHealth) -> Bool {
        func grew(_ a: Duration, _ b: Duration) -> Bool { b > a * 1.5 && b - a > .milliseconds(20) }
        let ceiling = Duration.seconds(600)
        return grew(old.timeout(ceiling: ceiling), new.timeout(ceiling: ceiling))
    }
}

extension StoredDevice {
    /// This record with `other`'s bookkeeping: the fields that change on every reply and are
    /// written only along with something else (see `DeviceDirectory.needsWrite`).
    func withBookkeeping(of other: StoredDevice) -> StoredDevice {
        var d = self
        d.lastSeen = other.lastSeen
        d.lastSeq = other.lastSeq
        d.lanHealth.replyMs = other.lanHealth.replyMs
        if DeviceDirectory.stateShape(d.lastState) == DeviceDirectory.stateShape(other.lastState) {
            d.lastState = other.lastState
        }
        d.addressUnconfirmed = other.addressUnconfirmed
        return d
    }
}
