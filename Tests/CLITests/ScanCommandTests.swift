import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// Devices reached by address only: a fleet bound on several loopback addresses (no mDNS for
/// them), found by `ewelink scan`.
@Suite("ewelink scan: devices by address", .serialized)
struct ScanCommandTests {
    /// A fleet on 127.X.Y.2…9, all on one port, in a /28 no other test uses.
    static func startFleet(_ kinds: [(type: String, encrypted: Bool)]) async throws -> (Simulator, String) {
        for _ in 0..<10 {
            let x = Int.random(in: 16...250), y = Int.random(in: 0...255)
            let port = Int.random(in: 20_000...60_000)
            var devices: [JSONValue] = []
            for (n, kind) in kinds.enumerated() {
                var d: JSONObject = ["id": .string(TestFleet.freshID()), "name": .string("Scan \(kind.type) \(n)"),
                                     "type": .string(kind.type), "host": .string("127.\(x).\(y).\(n + 2)"),
                                     "port": .int(port), "readingsIntervalMs": 60_000]
                d["devicekey"] = kind.encrypted ? .string(UUID().uuidString.lowercased()) : .null
                devices.append(.object(d))
            }
            let fleet = try Fleet.parse(JSONValue.object(["devices": .array(devices)]).serializedBytes, file: "scan-fleet")
            var options = Simulator.Options()
            options.publishMDNS = false
            let sim = Simulator(fleet: fleet, options: options)
            do {
                try await sim.start()
                return (sim, "127.\(x).\(y).0/28")
            } catch {
                await sim.stop()  // the port was taken on one of the addresses: another draw
            }
        }
        throw CocoaError(.featureUnsupported)
    }

    static func home() -> [String: String] {
        ["EWELINK_HOME": FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-scan-\(UUID().uuidString)").path]
    }

    @Test("scan finds exactly the devices in the range, with types, channels and firmware; a key it lacks is said; --add stores them")
    func scanAndAdd() async throws {
        let kinds: [(String, Bool)] = [("plug", true), ("strip", true), ("diy_plug", false), ("enhanced_plug", true),
                                       ("th_plug", true), ("fan_light", true), ("light", true), ("plug", true)]
        let (sim, range) = try await Self.startFleet(kinds)
        defer { Task { await sim.stop() } }
        let env = Self.home()
        let port = sim.devices[0].snapshot.port
        // The store knows every key but the last plug's.
        for d in sim.devices.dropLast() where d.config.devicekey != nil {
            let r = try await CommandRunner.run("ewelink", ["devices", "add", d.id, "--devicekey", d.config.devicekey!],
                                                environment: env)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let r = try await CommandRunner.run("ewelink", ["scan", range, "--port", "\(port)", "--json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let list = try #require(try JSONValue.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue)
        #expect(list.count == sim.devices.count)
        let expectedTypes: [String] = ["plug", "strip", "diy_plug", "enhanced_plug", "th_plug", "fan_light", "light", "plug"]
        for (n, device) in sim.devices.enumerated() {
            let entry = try #require(list.first { $0["host"]?.stringValue == device.config.host }, "\(device.config.host)")
            #expect(entry["port"]?.intValue == port)
            #expect(entry["encrypted"]?.boolValue == !device.isDIY)
            if n == sim.devices.count - 1 {
                #expect(entry["id"] == .null && entry["keyVerified"] == .bool(false))
                #expect(entry["problem"]?.stringValue?.contains("none of the") == true)
                continue
            }
            #expect(entry["id"]?.stringValue == device.id)
            #expect(entry["type"]?.stringValue == expectedTypes[n], "\(entry)")
            #expect(entry["channels"]?.intValue == (device.config.type == .strip ? 4 : 1))
            #expect(entry["fwVersion"]?.stringValue == device.snapshot.fwVersion)
            #expect(entry["keyVerified"]?.boolValue == !device.isDIY)
        }

        let table = try await CommandRunner.run("ewelink", ["scan", range, "--port", "\(port)", "--add"], environment: env)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.lines.first?.hasPrefix("ADDRESS") == true)
        #expect(table.stdout.contains("stored 7"), "\(table.stdout)")
        #expect(table.stdout.contains("none of the"))
        // Stored with their addresses: commands reach them with no mDNS at all.
        let strip = sim.devices[1]
        let on = try await CommandRunner.run("ewelink", ["on", strip.id, "--channel", "2", "--json"], environment: env)
        #expect(on.status == 0, "\(on.stderr)")
        #expect(strip.snapshot.params["switches"]?.arrayValue?[2]["switch"] == "on")
        let diy = sim.devices[2]
        let diyOn = try await CommandRunner.run("ewelink", ["on", diy.id, "--json"], environment: env)
        #expect(diyOn.status == 0, "\(diyOn.stderr)")
        #expect(diy.snapshot.params["switch"] == "on")
    }

    @Test("Ranges: nothing listening is fast; over a /16 needs --force; malformed ranges and ports are usage errors")
    func ranges() async throws {
        let env = Self.home()
        let x = Int.random(in: 16...250), y = Int.random(in: 0...255)
        let started = ContinuousClock.now
        let empty = try await CommandRunner.run("ewelink", ["scan", "127.\(x).\(y).0/24", "--port", "9", "--json"], environment: env)
        let elapsed = ContinuousClock.now - started
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        #expect(elapsed < .seconds(5), "a /24 with nothing listening took \(elapsed)")
        let big = try await CommandRunner.run("ewelink", ["scan", "127.0.0.0/8"], environment: env)
        #expect(big.status == 2 && big.stderr.contains("--force"), "\(big.stderr)")
        for bad in ["127.0.0.0/33", "127.0.0", "127.0.0.9-3", "nonsense", "127.0.0.1-300"] {
            let r = try await CommandRunner.run("ewelink", ["scan", bad], environment: env)
            #expect(r.status == 2 && r.stderr.contains("not an address range"), "\(bad): \(r.stderr)")
        }
        let port = try await CommandRunner.run("ewelink", ["scan", "127.0.0.1", "--port", "70000"], environment: env)
        #expect(port.status == 2)
    }
}
