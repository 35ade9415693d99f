import EWeLinkLAN
import Synchronization

/// The router's bookkeeping of LAN requests, per device: how many are in flight, which of them
/// the cloud overtook (their command was answered first), the numbering of commands and the
/// newest acknowledged one, and the one coalesced ordering copy.
///
/// Why: a hedged command's LAN copy outlives its answer. It must neither land over a newer
/// acknowledged command (it is dropped before it is sent or retried once one exists), nor let a
/// command that went only through the cloud be undone by an older LAN request still queued.
final class LANLegLedger: Sendable {
    private let inFlightLegs = Mutex<[String: Int]>([:])
    private let overtakenLegs = Mutex<[String: Int]>([:])
    private let generations = Mutex<[String: (issued: Int, acknowledged: Int)]>([:])
    /// Per device: an ordering copy is on its way (`.some`), with the newest params to send after it.
    let copies = Mutex<[String: (JSONObject, Int)?]>([:])

    func begin(_ id: String) { inFlightLegs.withLock { $0[id, default: 0] += 1 } }

    func end(_ id: String) {
        inFlightLegs.withLock { legs in
            legs[id, default: 1] -= 1
            if legs[id] == 0 { legs[id] = nil }
        }
    }

    func inFlight(_ id: String) -> Int { inFlightLegs.withLock { $0[id] ?? 0 } }
    var totalInFlight: Int { inFlightLegs.withLock { $0.values.reduce(0, +) } }

    /// A leg the cloud overtook (`ended: false`), or such a leg ending.
    func overtaken(_ id: String, ended: Bool) {
        overtakenLegs.withLock { legs in
            legs[id, default: 0] += ended ? -1 : 1
            if legs[id]! <= 0 { legs[id] = nil }
        }
    }

    /// Whether the device has overtaken legs still stuck: its LAN is slow right now.
    func isSlow(_ id: String) -> Bool { overtakenLegs.withLock { $0[id] != nil } }

    func nextGeneration(_ id: String) -> Int {
        generations.withLock { g in
            g[id, default: (0, 0)].issued += 1
            return g[id]!.issued
        }
    }

    func acknowledged(_ id: String, _ generation: Int) {
        generations.withLock { g in g[id, default: (0, 0)].acknowledged = max(g[id, default: (0, 0)].acknowledged, generation) }
    }

    /// Whether an answered command's LAN copy is still worth sending: nothing newer was acknowledged.
    func stillCurrent(_ id: String, _ generation: Int) -> Bool {
        generations.withLock { ($0[id]?.acknowledged ?? 0) <= generation }
    }
}
