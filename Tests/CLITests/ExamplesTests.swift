import EWeLink
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// The programs of `Examples/` (a package of its own that depends on this one by path), run against
/// the simulated fleet and its mock cloud as an app developer would run them. `scripts/examples`
/// builds them and runs this suite with `EWELINK_EXAMPLES_BIN` naming their build folder; without it
/// the suite is skipped (a plain `swift test` does not build another package).
@Suite("Examples/ against the simulator", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["EWELINK_EXAMPLES_BIN"] != nil, "scripts/examples builds them"))
struct ExamplesTests {
    static func run(_ example: String, _ arguments: [String], _ env: [String: String]) async throws -> ProcessResult {
        let bin = URL(fileURLWithPath: ProcessInfo.processInfo.environment["EWELINK_EXAMPLES_BIN"] ?? "")
        return try await ProcessRunner.run(bin.appendingPathComponent(example), arguments, environment: env)
    }

    @Test("Quickstart (the README's example, one import): lists the LAN, switches with the LAN refused through the cloud and says so, prints changes")
    func quickstart() async throws {
        let spec = CloudTestFleet([("plug", true), ("strip", true)])
        let sim = try await spec.startSimulator(mdns: true)
        defer { Task { await sim.stop() } }
        let env = try await spec.cliLoggedIn(sim)
        let (plug, strip) = (sim.devices[0], sim.devices[1])
        _ = await plug.setFaults { $0.lan = .refuse }
        let before = plug.snapshot.params["switch"]?.stringValue
        // A change made on the device while the example follows events.
        Task {
            try await Task.sleep(for: .seconds(3))
            _ = strip.press(outlet: 1)
        }
        let r = try await Self.run("Quickstart", [plug.id], env)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix(strip.id) }, "the strip is listed from mDNS: \(r.stdout)")
        let switched = try #require(lines.first { $0.contains(" via ") }, "\(r.stdout)")
        #expect(switched.contains("via websocket") || switched.contains("via rest"), "the cloud carried it: \(switched)")
        #expect(plug.snapshot.params["switch"]?.stringValue != before, "the device itself changed")
        let name = try #require(try DeviceStore(directory: env["EWELINK_HOME"]!).load().first { $0.id == strip.id }?.name)
        #expect(lines.contains { $0.hasPrefix(name + " state ") }, "the press arrived as an event, named: \(r.stdout)")
        let code = try String(contentsOfFile: Self.examples + "/Sources/Quickstart/main.swift", encoding: .utf8)
            .split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("//") }
        #expect(code.count <= 15 && code.filter { $0.hasPrefix("import ") } == ["import EWeLink"], "\(code.count) lines")
    }

    @Test("Discover lists every device with its typed channels; SwitchWithFallback prints the LAN route, then the cloud's when the LAN refuses")
    func discoverAndSwitch() async throws {
        let spec = CloudTestFleet([("plug", true), ("strip", true)])
        let sim = try await spec.startSimulator(mdns: true)
        defer { Task { await sim.stop() } }
        let env = try await spec.cliLoggedIn(sim)
        var r = try await Self.run("Discover", [], env)
        #expect(r.status == 0, "\(r.stderr)")
        for d in sim.devices { #expect(r.stdout.contains(d.id), "\(d.id) in \(r.stdout)") }
        #expect(r.stdout.contains("0:") && r.stdout.contains("3:"), "the strip's four channels: \(r.stdout)")
        let strip = sim.devices[1]
        r = try await Self.run("SwitchWithFallback", [strip.id, "2"], env)
        #expect(r.status == 0 && r.stdout.contains("route lan"), "\(r.stdout)\(r.stderr)")
        _ = await strip.setFaults { $0.lan = .refuse }
        r = try await Self.run("SwitchWithFallback", [strip.id, "2"], env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("route websocket") || r.stdout.contains("route rest"), "\(r.stdout)")
    }

    @Test("Events prints a change made on the device, with the device's name")
    func events() async throws {
        let spec = CloudTestFleet([("plug", true)])
        let sim = try await spec.startSimulator(mdns: true)
        defer { Task { await sim.stop() } }
        let env = try await spec.cliLoggedIn(sim)
        let plug = sim.devices[0]
        Task {
            try await Task.sleep(for: .seconds(2))
            _ = plug.press()
        }
        let r = try await Self.run("Events", ["4"], env)
        #expect(r.status == 0, "\(r.stderr)")
        let name = try #require(try DeviceStore(directory: env["EWELINK_HOME"]!).load().first { $0.id == plug.id }?.name)
        #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix(name) && $0.contains(" state ") }, "\(r.stdout)")
    }

    static var examples: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples").path
    }
}
