import EWeLink
import EWeLinkHubClient
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

extension WatchCommand {
    /// Follows the hub's `/events` when a hub runs (the same events, printed the same way) and
    /// exits; returns when there is none.
    func followHubIfRunning() {
        guard !noHub, !noCloud, ProcessInfo.processInfo.environment["EWELINK_NO_HUB"] == nil else { return }
        let path = HubAddress.socketPath()
        let deadline = duration.map { ContinuousClock.now + $0.duration }
        let end = HubClient.followEvents(path: path, until: deadline, unsafe: { printError("ewelink: warning: " + $0) }) { show($0) }
        switch end {
        case .noHub: return
        case .deadline: Glibc.exit(0)
        case .closedBeforeRequest: printError("ewelink: the hub at \(path) closed the connection")
        case .ended: printError("ewelink: the hub at \(path) ended the event stream (stopped?)")
        case .notAStream(let status): printError("ewelink: the hub answered HTTP \(status) to /events")
        case .malformed: printError("ewelink: the hub's event stream is malformed")
        }
        Glibc.exit(ExitStatus.failure)
    }

    /// One device event's JSON (`DeviceEvent.json`), as `watch` prints it.
    private func show(_ data: String) {
        if json {
            printLine(data)
            return
        }
        guard let o = try? JSONValue.parse(data).objectValue else { return }
        let time = o["time"]?.stringValue.flatMap { try? Date($0, strategy: DeviceEvent.timeFormat) } ?? Date()
        printLine(Self.line(time: time, device: o["name"]?.stringValue ?? o["device"]?.stringValue ?? "?",
                            source: o["source"]?.stringValue ?? "?", kind: o["kind"]?.stringValue ?? "?",
                            params: o["params"]?.objectValue, seq: o["seq"]?.intValue, detail: o["detail"]?.stringValue))
    }
}
