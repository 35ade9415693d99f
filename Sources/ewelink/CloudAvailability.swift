import EWeLink
import EWeLinkCloud
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Tells a `watch` user when the cloud part of the stream is not working: the first failed
/// attempt to open the WebSocket (before any success) is printed once on stderr with its cause
/// and, with `--json`, as a `cloud-unavailable` event; the session keeps retrying meanwhile.
final class CloudAvailability: Sendable {
    private struct State {
        var connected = false
        var reported = false
    }

    private final class Flags: Sendable {
        let state = Mutex(State())
    }

    private let flags: Flags
    private let task: Task<Void, Never>

    init(socket: CloudSocket, json: Bool) {
        let events = socket.subscribe()
        let flags = Flags()
        self.flags = flags
        task = Task {
            for await event in events {
                switch event {
                case .connected:
                    flags.state.withLock { $0.connected = true }
                case .disconnected:
                    // Only a failed attempt to open the session (not a stop, not a drop once up).
                    guard let failure = socket.lastFailure else { continue }
                    let first = flags.state.withLock { s -> Bool in
                        guard !s.connected, !s.reported else { return false }
                        s.reported = true
                        return true
                    }
                    guard first else { continue }
                    Self.report(failure.description, json: json)
                default:
                    continue
                }
            }
        }
    }

    deinit { task.cancel() }

    /// The one stderr line, and with `--json` the `cloud-unavailable` event.
    static func report(_ cause: String, json: Bool) {
        printError("ewelink: cloud events unavailable (LAN events go on): \(cause)")
        guard json else { return }
        let event: JSONObject = ["device": .null, "source": "cloud", "kind": "cloud-unavailable", "params": .null, "seq": .null,
                                 "time": .string(Date().formatted(DeviceEvent.timeFormat)), "detail": .string(cause)]
        printLine(JSONValue.object(event).serialized)
    }

    /// Whether a failure was reported.
    var reported: Bool { flags.state.withLock { $0.reported } }
}
