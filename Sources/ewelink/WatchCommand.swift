import ArgumentParser
import EWeLink
import EWeLinkCloud
import EWeLinkHubClient
import EWeLinkLAN
import Foundation

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
        let lan = LANController.forCommand()
        let names = Dictionary(((try? lan.directory.devices()) ?? []).compactMap { d in d.name.map { (d.id, $0) } },
                               uniquingKeysWith: { a, _ in a })
        var socket: CloudSocket? = nil
        // Cloud settings that cannot be used while a session is stored: cloud events were expected.
        var unusable: CloudError? = nil
        if !noCloud, let config = try? CloudConfig.load(), config.credentials != nil {
            do {
                let client = try config.client()
                if client.session != nil { socket = CloudSocket(client: client) }  // this command's own, stopped below
            } catch {
                if FileManager.default.fileExists(atPath: config.sessionStore.path) { unusable = error }
            }
        }
        let stream: DeviceEventStream
        do { stream = try DeviceEventStream(lan: lan, socket: socket) } catch { throw fail(error) }
        let cloudWatch = socket.map { CloudAvailability(socket: $0, json: json) }
        if let unusable { CloudAvailability.report(unusable.description, json: json) }
        socket?.start()
        if let duration {
            Task {
                try? await Task.sleep(for: duration.duration)
                stream.stop()
            }
        }
        for await event in stream.events {
            let name = names[event.deviceID]
            if json {
                printLine(JSONValue.object(event.json(name: name)).serialized)
            } else {
                printLine(Self.line(time: event.time, device: name ?? event.deviceID, source: event.source.rawValue,
                                    kind: event.kind.rawValue, params: event.params, seq: event.seq, detail: event.detail))
            }
        }
        await socket?.stop()
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
        let c = Calendar.current.dateComponents([.hour, .minute, .second], from: time)
        var line = String(format: "%02d:%02d:%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0) + "  \(device)  \(source)  \(kind)"
        if let params { line += "  " + StateSummary.describe(params) }
        if let seq { line += "  (seq \(seq))" }
        if let detail { line += "  " + detail }
        return line
    }
}
