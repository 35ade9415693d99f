import ArgumentParser
import EWeLink
import EWeLinkLAN
import Foundation

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
        let controller = LANController()
        let names = Dictionary(((try? controller.store.load()) ?? []).compactMap { d in d.name.map { (d.id, $0) } },
                               uniquingKeysWith: { a, _ in a })
        if watch {
            try await follow(controller, names: names)
            return
        }
        let result: (devices: [DiscoveredDevice], complete: Bool)
        do { result = try await controller.discover(timeout: timeout.duration) } catch {
            throw fail(error)
        }
        if json {
            printLine(JSONValue.array(result.devices.map { .object($0.json(name: names[$0.id])) }).serialized)
        } else {
            printDevices(result.devices, names: names)
            if !result.complete { printError("ewelink: the list may be incomplete (timed out after \(timeout) s)") }
        }
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

    private func printDevices(_ devices: [DiscoveredDevice], names: [String: String]) {
        if devices.isEmpty {
            printLine("no eWeLink devices found")
            return
        }
        let header = ["ID", "NAME", "TYPE", "ADDRESS", "ENCRYPTED", "SEQ", "STATE"]
        let rows = devices.map { d in
            [d.id, names[d.id] ?? "-", d.type.rawValue, "\(d.host):\(d.port)", d.encrypted ? "yes" : "no", String(d.seq),
             summary(d)]
        }
        ewelink.printTable(header, rows)
    }
}
