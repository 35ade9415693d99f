import ArgumentParser
import EWeLink
import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Synchronization

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "See everything work without an account or devices: a simulated fleet and mock cloud on 127.0.0.1.",
        discussion: """
            Starts the fleet of Fixtures/fleet.json (virtual devices speaking the real LAN protocol, announced through \
            the avahi-daemon on the loopback interface only) and its mock eWeLink cloud in this process, then logs in, \
            syncs the keys, discovers, switches a device over the LAN, breaks its LAN and switches it through the cloud, \
            hedges a slow LAN, and upgrades its firmware. Nothing leaves 127.0.0.1; your own store is not touched. \
            Exit 0 only when every step was verified on the simulated device.
            """)

    @Option(help: "The fleet file (devices and a \"cloud\" member).")
    var fleet = "Fixtures/fleet.json"
    @Option(help: "Interface the simulated devices are announced on.")
    var interface = "lo"
    @Flag(help: "Print one JSON object per step.")
    var json = false

    func run() async throws {
        var parsed: Fleet
        do { parsed = try Fleet.load(path: fleet) } catch { throw fail("\(error)") }
        guard let cloudFleet = parsed.cloud, let account = cloudFleet.accounts.first else {
            throw fail("\(fleet) has no \"cloud\" member with an account: the demo needs one")
        }
        // Free ports, whatever this machine already runs.
        for i in parsed.devices.indices { parsed.devices[i].port = 0 }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-demo-\(UUID().uuidString)").path
        let log = DemoLog(json: json)
        var options = Simulator.Options()
        options.interface = interface
        options.cloudPort = 0
        let sim = Simulator(fleet: parsed, options: options)
        let store = DeviceStore(directory: home)
        let script = DemoScript(sim: sim, fleet: parsed, account: account, appID: cloudFleet.appID,
                                appSecret: cloudFleet.appSecret, store: store, home: home, log: log)
        let ok = await script.run()
        await sim.stop()
        try? FileManager.default.removeItem(atPath: home)
        log.summary()
        if !ok { throw ExitCode.failure }
    }
}

/// Prints each step with its timing, as a line or as JSON.
final class DemoLog: Sendable {
    private let json: Bool
    private let results = Mutex<[(String, Bool, Double)]>([])

    init(json: Bool) { self.json = json }

    var allPassed: Bool { results.withLock { $0.allSatisfy(\.1) } }

    /// Runs one step; its detail line on success, the error on failure.
    func step(_ name: String, _ body: () async throws -> String) async -> Bool {
        let started = ContinuousClock.now
        let outcome: Result<String, any Error>
        do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        let ms = (ContinuousClock.now - started).inMilliseconds
        let n = results.withLock { r -> Int in
            r.append((name, (try? outcome.get()) != nil, ms))
            return r.count
        }
        switch outcome {
        case .success(let detail):
            if json {
                printLine(JSONValue.object(["step": .int(n), "name": .string(name), "ok": true,
                                            "ms": .double((ms * 10).rounded() / 10), "detail": .string(detail)]).serialized)
            } else {
                printLine(String(format: "%2d. %@ (%.1f ms)", n, name, ms))
                printLine("    " + detail)
            }
            return true
        case .failure(let error):
            if json {
                printLine(JSONValue.object(["step": .int(n), "name": .string(name), "ok": false,
                                            "ms": .double((ms * 10).rounded() / 10), "error": .string("\(error)")]).serialized)
            } else {
                printLine(String(format: "%2d. %@ FAILED (%.1f ms)", n, name, ms))
                printLine("    \(error)")
            }
            return false
        }
    }

    func summary() {
        let all = results.withLock { $0 }
        let failed = all.filter { !$0.1 }.map(\.0)
        if json {
            printLine(JSONValue.object(["summary": true, "steps": .int(all.count), "failed": .array(failed.map(JSONValue.string))]).serialized)
        } else {
            printLine("")
            printLine(failed.isEmpty ? "all \(all.count) steps worked." : "failed: \(failed.joined(separator: "; "))")
        }
    }
}

/// A failed check inside a demo step.
struct DemoFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
