import ArgumentParser
import EWeLink
import EWeLinkHubClient
import EWeLinkLAN

struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan", abstract: "Find eWeLink devices by address, where mDNS does not reach (VLANs, VPNs).",
        discussion: """
            Connects to the LAN port of every address in the range (at most 256 at a time), then asks each \
            host that accepts for its info: plain first (DIY firmware), then with each key of the device store \
            until one opens it, one request per host at a time. Ranges larger than a /16 need --force. \
            --add stores every device found with its address, so later commands reach it without mDNS.
            """ + " " + ExitStatus.help)

    @Argument(help: "The addresses: a CIDR (192.168.20.0/24), a range (192.168.20.10-40 or 192.168.20.10-192.168.20.40) or one address.")
    var range: String

    @Option(help: "The LAN port to try.")
    var port = LANProtocol.port

    @Option(help: "Seconds to wait for each host to accept a connection. (default: 0.5)",
            transform: Seconds.parser(max: Seconds.lanCeiling))
    var timeout = Seconds(0.5)

    @Flag(help: "Store the devices found (id, address, type, channels) in the device store.")
    var add = false

    @Flag(help: "Scan a range larger than a /16.")
    var force = false

    @Flag(help: "Print JSON (an array, one object per device found).")
    var json = false

    func run() async throws {
        guard (1...65535).contains(port) else { throw fail("--port must be 1...65535") }
        let addresses: AddressRange
        do { addresses = try AddressRange(range, force: force) } catch {
            throw fail(error.description + (HubFailure.Reason.of(error).map { advice(for: $0, deviceID: nil) } ?? ""))
        }
        let client = EWeLinkClient.forCommand(.forCommand(cloud: false))
        let stored: [StoredDevice]
        let report: EWeLinkClient.ScanReport
        do {
            stored = try client.devices()
            report = try await client.scan(addresses, port: port, connectTimeout: timeout.duration, add: add)
        } catch {
            throw fail(error)
        }
        let (found, added, elapsed) = (report.findings, report.added, report.elapsed)
        let store = client.lan.store
        let names = Dictionary(stored.compactMap { d in d.name.map { (d.id, $0) } }, uniquingKeysWith: { a, _ in a })
        if json {
            printLine(JSONValue.array(found.map { .object(Self.json($0, name: $0.deviceID.flatMap { names[$0] })) }).serialized)
            return
        }
        if found.isEmpty {
            printLine("no eWeLink device answered on port \(port) in \(addresses) (\(addresses.count) addresses, \(Self.seconds(elapsed)))")
            return
        }
        printTable(["ADDRESS", "ID", "NAME", "TYPE", "CH", "FIRMWARE", "MODE", "KEY"], found.map { f in
            [
                "\(f.host):\(f.port)", f.deviceID ?? "?", f.deviceID.flatMap { names[$0] } ?? "-",
                f.type?.rawValue ?? "?", f.channels.map(String.init) ?? "?", f.fwVersion ?? "?",
                f.encrypted ? "encrypted" : "DIY", f.encrypted ? (f.keyVerified ? "stored key opens it" : "unknown") : "-",
            ]
        })
        for f in found where f.problem != nil { printLine("! \(f.host):\(f.port): \(f.problem!)") }
        printLine("\(found.count) found in \(addresses.count) addresses in \(Self.seconds(elapsed))"
            + (add ? "; stored \(added.count) in \(store.path)" : ""))
    }

    static func json(_ f: LANScanner.Finding, name: String?) -> JSONObject {
        var o: JSONObject = ["host": .string(f.host), "port": .int(f.port)]
        o["id"] = f.deviceID.map(JSONValue.string) ?? .null
        o["name"] = name.map(JSONValue.string) ?? .null
        o["type"] = f.type.map { .string($0.rawValue) } ?? .null
        o["channels"] = f.channels.map(JSONValue.int) ?? .null
        o["fwVersion"] = f.fwVersion.map(JSONValue.string) ?? .null
        o["encrypted"] = .bool(f.encrypted)
        o["keyVerified"] = .bool(f.keyVerified)
        o["state"] = f.state.map(JSONValue.object) ?? .null
        if let problem = f.problem { o["problem"] = .string(problem) }
        return o
    }

    static func seconds(_ d: Duration) -> String {
        let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        return ms < 1000 ? "\(Int(ms.rounded())) ms" : "\((ms / 100).rounded() / 10) s"
    }
}
