import ArgumentParser
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Synchronization

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "See ewelink work without an account or devices: a simulated fleet and mock cloud on 127.0.0.1.",
        discussion: """
            Starts the fleet (virtual devices speaking the real LAN protocol, announced through the avahi-daemon on \
            the loopback interface only) and its mock eWeLink cloud in this process, then runs the real `ewelink` \
            executable for each step, as you would: login, sync, discover, on over the LAN, off through the cloud \
            when the LAN refuses, a slow LAN hedged through the cloud, an OTA upgrade, and on over the LAN again. \
            Each step's outcome is checked on the simulated device itself. Nothing leaves 127.0.0.1; your own store \
            is not touched (a temporary EWELINK_HOME is used). Exit 0 only when every step was verified.
            """)

    @Option(help: "The fleet file (devices and a \"cloud\" member). Default: fleet.json next to this executable, or ../share/ewelink/fleet.json.")
    var fleet: String?
    @Option(help: "The ewelink executable to run. Default: the one next to this executable.")
    var ewelink: String?
    @Option(help: "Interface the simulated devices are announced on.")
    var interface = "lo"
    @Flag(help: "Print one JSON object per step.")
    var json = false

    func run() async throws {
        // /proc/self/exe: argv[0] is only a name when the shell found the command on PATH.
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map(URL.init(fileURLWithPath:))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let here = me.deletingLastPathComponent()
        let fleetPath = fleet ?? [here.appendingPathComponent("fleet.json").path,
                                  here.appendingPathComponent("../share/ewelink/fleet.json").standardized.path]
            .first { FileManager.default.fileExists(atPath: $0) }
        guard let fleetPath else {
            printError("ewelink-sim demo: no fleet.json next to \(here.path): pass --fleet FILE (e.g. Fixtures/fleet.json)")
            throw ExitCode(2)
        }
        let tool = URL(fileURLWithPath: ewelink ?? here.appendingPathComponent("ewelink").path)
        guard FileManager.default.isExecutableFile(atPath: tool.path) else {
            printError("ewelink-sim demo: no ewelink executable at \(tool.path): pass --ewelink PATH")
            throw ExitCode(2)
        }
        var parsed: Fleet
        do { parsed = try Fleet.load(path: fleetPath) } catch {
            printError("ewelink-sim demo: \(error)")
            throw ExitCode(2)
        }
        guard let cloudFleet = parsed.cloud, let account = cloudFleet.accounts.first else {
            printError("ewelink-sim demo: \(fleetPath) has no \"cloud\" member with an account: the demo needs one")
            throw ExitCode(2)
        }
        // Free ports, whatever this machine already runs.
        for i in parsed.devices.indices { parsed.devices[i].port = 0 }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-demo-\(UUID().uuidString)").path
        var options = Simulator.Options()
        options.interface = interface
        options.cloudPort = 0
        let sim = Simulator(fleet: parsed, options: options)
        let log = DemoLog(json: json)
        let script = DemoScript(sim: sim, fleet: parsed, account: account, appID: cloudFleet.appID,
                                appSecret: cloudFleet.appSecret, tool: tool, home: home, log: log)
        let ok = await script.run()
        await sim.stop()
        try? FileManager.default.removeItem(atPath: home)
        log.summary()
        if !ok { throw ExitCode.failure }
    }
}

/// Prints each step with the command it ran and its timing, as lines or as JSON.
final class DemoLog: Sendable {
    private let json: Bool
    private let results = Mutex<[(String, Bool, Double)]>([])

    init(json: Bool) { self.json = json }

    /// Runs one step: `body` returns the command line it ran (if any) and a detail line.
    func step(_ name: String, _ body: () async throws -> (command: String?, detail: String)) async -> Bool {
        let started = ContinuousClock.now
        let outcome: Result<(command: String?, detail: String), any Error>
        do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        let ms = (ContinuousClock.now - started).inMilliseconds
        let n = results.withLock { r -> Int in
            r.append((name, (try? outcome.get()) != nil, ms))
            return r.count
        }
        var o: JSONObject = ["step": .int(n), "name": .string(name), "ms": .double((ms * 10).rounded() / 10)]
        switch outcome {
        case .success(let (command, detail)):
            o["ok"] = true
            o["command"] = command.map(JSONValue.string) ?? .null
            o["detail"] = .string(detail)
            printLine(json ? JSONValue.object(o).serialized
                : String(format: "%2d. %@ (%.1f ms)\n", n, name, ms) + (command.map { "    $ \($0)\n" } ?? "") + "    \(detail)")
            return true
        case .failure(let error):
            o["ok"] = false
            o["error"] = .string("\(error)")
            printLine(json ? JSONValue.object(o).serialized : String(format: "%2d. %@ FAILED (%.1f ms)\n    %@", n, name, ms, "\(error)"))
            return false
        }
    }

    func summary() {
        let all = results.withLock { $0 }
        let failed = all.filter { !$0.1 }.map(\.0)
        if json {
            printLine(JSONValue.object(["summary": true, "steps": .int(all.count), "failed": .array(failed.map(JSONValue.string))]).serialized)
        } else {
            printLine(failed.isEmpty ? "\nall \(all.count) steps worked." : "\nfailed: \(failed.joined(separator: "; "))")
        }
    }
}

/// A failed check inside a demo step.
struct DemoFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
