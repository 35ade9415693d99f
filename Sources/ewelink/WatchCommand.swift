import ArgumentParser
import EWeLink
import EWeLinkCloud
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

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Follow every device: LAN announcements and replies, cloud pushes and online/offline, in one stream.",
        discussion: "Each change is shown once, whichever way it arrived first (mDNS, an HTTP reply, or the cloud). "
            + "With a cloud session (`ewelink login`) the cloud WebSocket is followed too; when it cannot be opened, "
            + "the cause is printed once on stderr (and as a `cloud-unavailable` event with --json), LAN events go on, "
            + "and the exit status is 9 if it never connected. " + ExitStatus.help)

    @Flag(help: "Print JSON lines: device, name, source, kind, params, seq, time.")
    var json = false
    @Option(help: "Stop after this many seconds (default: until interrupted).", transform: Seconds.parser(max: Seconds.watchCeiling))
    var duration: Seconds?
    @Flag(help: "Follow the LAN only (in this process, not through the hub).")
    var noCloud = false
    @Flag(help: "Follow the devices in this process even when a hub (`ewelink serve`) is running.")
    var noHub = false

    func run() async throws {
        let configuration = EWeLinkConfiguration.forCommand(cloud: !noCloud)
        let client = EWeLinkClient.forCommand(configuration)
        // Cloud settings that cannot be used while a session is stored: cloud events were expected.
        var unusable: CloudError? = nil
        if let problem = client.cloudProblem,
           FileManager.default.fileExists(atPath: CloudSessionStore(directory: configuration.storeDirectory).path) {
            unusable = problem
        }
        let socket = client.socket
        let cloudWatch = socket.map { CloudAvailability(socket: $0, json: json) }
        let events: AsyncStream<DeviceEvent>
        do { events = try client.events(from: .knownDevices) } catch { throw fail(error) }
        if let unusable { CloudAvailability.report(unusable.description, json: json) }
        if let duration {
            Task {
                try? await Task.sleep(for: duration.duration)
                await client.shutdown()
            }
        }
        for await event in events {
            if json {
                printLine(JSONValue.object(event.json(name: event.name)).serialized)
            } else {
                printLine(Self.line(time: event.time, device: event.name ?? event.deviceID, source: event.source.rawValue,
                                    kind: event.kind.rawValue, params: event.params, seq: event.seq, detail: event.detail))
            }
        }
        await client.shutdown()
        // Cloud events were expected (a session is stored) but never came: say so in the status.
        if unusable != nil { throw ExitCode(ExitStatus.cloud) }
        if let socket, let cloudWatch, socket.connectionCount == 0 {
            if !cloudWatch.reported { printError("ewelink: the cloud WebSocket did not connect while watching") }
            throw ExitCode(ExitStatus.cloud)
        }
    }

    /// One event as a human line, in 24-hour local time (the locale's hour format would drop AM/PM
    /// and mislead).
    static func line(time: Date, device: String, source: String, kind: String, params: JSONObject?, seq: Int?,
                     detail: String?) -> String {
        // The C library's local time (TZ, /etc/localtime): FoundationEssentials alone knows only GMT.
        var seconds = time_t(time.timeIntervalSince1970.rounded(.down))
        var c = tm()
        localtime_r(&seconds, &c)
        var line = "\(c.tm_hour.zeroPadded(2)):\(c.tm_min.zeroPadded(2)):\(c.tm_sec.zeroPadded(2))  \(device)  \(source)  \(kind)"
        if let params { line += "  " + StateSummary.describe(params) }
        if let seq { line += "  (seq \(seq))" }
        if let detail { line += "  " + detail }
        return line
    }
}
