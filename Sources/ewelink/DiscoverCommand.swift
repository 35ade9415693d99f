import ArgumentParser
import EWeLink
import EWeLinkHubClient
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover", abstract: "List the eWeLink devices announced on the local network (mDNS).",
        discussion: """
            Returns as soon as Avahi has resolved every service it knows of; --watch keeps following \
            appearances, state changes and disappearances. States are decrypted with the keys of the device store.
            """ + " " + ExitStatus.help)

    @Option(help: "Seconds to wait at most for the list to complete. (default: 3.0)", transform: Seconds.parser(max: Seconds.lanCeiling))
    var timeout = Seconds(3)

    @Flag(help: "Keep running and print changes as they happen.")
    var watch = false

    @Flag(help: "Print JSON (an array; JSON lines with --watch).")
    var json = false

    func run() async throws {
        let client = EWeLinkClient.forCommand(.forCommand(cloud: false))
        if watch {
            let names = Dictionary(((try? client.devices()) ?? []).compactMap { d in d.name.map { (d.id, $0) } },
                                   uniquingKeysWith: { a, _ in a })
            try await follow(client.lan, names: names)
            return
        }
        let result: LANSurvey
        do { result = try await client.discover(timeout: timeout.duration) } catch {
            throw fail(error)
        }
        let found = Set(result.devices.map(\.id))
        if json {
            let rejected = Dictionary(grouping: result.rejected, by: \.deviceID)
            printLine(JSONValue.array(result.devices.map { d in
                var o = d.announcement.json(name: d.name)
                if let r = rejected[d.id] { o["rejected"] = .array(r.map { .object($0.json) }) }
                return .object(o)
            }).serialized)
            for r in result.rejected where !found.contains(r.deviceID) { printError("ewelink: \(describe(r))") }
        } else {
            printDevices(result.devices)
            for d in result.devices where !d.announcement.rivals.isEmpty { printLine("! " + describeRivals(d.announcement)) }
            for r in result.rejected { printLine("! " + describe(r)) }
            if !result.complete { printError("ewelink: the list may be incomplete (timed out after \(timeout) s)") }
        }
    }

    /// Several services claim one id: say so plainly, and which one is used.
    private func describeRivals(_ d: DiscoveredDevice) -> String {
        let others = d.rivals.map { "\($0.instanceName) at \($0.address) (seq \($0.seq))" }.joined(separator: ", ")
        return "\(d.rivals.count + 1) services claim \(d.id): \(d.instanceName) at \(d.host):\(d.port) (used: it answered "
            + "last, or is the stored address, or was seen first) and \(others); without a key only one of them can be told to be the device"
    }

    private func describe(_ r: RejectedAnnouncement) -> String {
        "ignored \(r.source.instanceName) at \(r.source.address) claiming \(r.deviceID) (seq \(r.source.seq)): \(r.reason)"
    }

    private func follow(_ controller: LANController, names: [String: String]) async throws {
        let discovery: LANDiscovery
        do { discovery = try controller.watch() } catch { throw fail(error) }
        for await event in discovery.events {
            switch event {
            case .appeared(let d), .changed(let d):
                let kind = event == .appeared(d) ? "appeared" : "changed"
                controller.remember([d])
                if json {
                    var o: JSONObject = ["event": .string(kind), "time": .string(Date().formatted(.iso8601))]
                    o.merge(d.json(name: names[d.id]))
                    printLine(o.serialized)
                } else {
                    printLine("\(kind == "appeared" ? "+" : "~") \(d.id) \(names[d.id] ?? "-") \(d.type) \(d.host):\(d.port) seq=\(d.seq) \(summary(d))")
                }
            case .disappeared(let id):
                printLine(json ? JSONValue.object(["event": "disappeared", "id": .string(id)]).serialized : "- \(id)")
            case .invalid(let name, let reason):
                printError("ewelink: ignoring \(name): \(reason)")
            case .rejected(let r):
                if json {
                    var o: JSONObject = ["event": "rejected", "time": .string(Date().formatted(.iso8601))]
                    o.merge(r.json)
                    printLine(o.serialized)
                } else {
                    printLine("! " + describe(r))
                }
            case .contested(let d, let rival):
                if json {
                    var o: JSONObject = ["event": "contested", "time": .string(Date().formatted(.iso8601))]
                    o.merge(d.json(name: names[d.id]))
                    o["by"] = .object(rival.json)
                    printLine(o.serialized)
                } else {
                    printLine("! " + describeRivals(d))
                }
            case .failed(let error):
                throw fail(.mdns(error))
            case .complete:
                break
            }
        }
    }

    private func summary(_ d: DiscoveredDevice) -> String {
        if let s = d.state { return StateSummary.describe(s) }
        return d.stateError != nil ? "(wrong key?)" : "(encrypted, no key)"
    }

    private func printDevices(_ devices: [LANDevice]) {
        if devices.isEmpty {
            printLine("no eWeLink devices found")
            return
        }
        let header = ["ID", "NAME", "TYPE", "ADDRESS", "ENCRYPTED", "SEQ", "STATE"]
        let rows = devices.map { d in
            [d.id, d.name ?? "-", d.type.rawValue, "\(d.host):\(d.port)", d.announcement.encrypted ? "yes" : "no",
             String(d.announcement.seq), summary(d.announcement)]
        }
        ewelink.printTable(header, rows)
    }
}
