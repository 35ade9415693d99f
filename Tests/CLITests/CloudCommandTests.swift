import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

@Suite("ewelink login / sync against the mock cloud")
struct CloudCommandTests {
    @Test("login then sync fill the store; secrets never appear in output or in the store's neighbours")
    func loginSync() async throws {
        let spec = CloudTestFleet([("plug", true), ("diy_plug", false)])
        let sim = try await spec.startSimulator()
        defer { Task { await sim.stop() } }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-cli-cloud-\(UUID().uuidString)").path
        let env = spec.environment(sim, home: home)
        var r = try await CommandRunner.run("ewelink", ["sync"], environment: env)
        #expect(r.status == 9 && r.stderr.contains("ewelink login"))
        r = try await CommandRunner.run("ewelink", ["login", "--email", spec.ownerEmail, "--country-code", "+49",
                                                    "--password-stdin", "--json"], environment: env,
                                        stdin: spec.ownerPassword + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try JSONValue.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["region"] == "eu")
        r = try await CommandRunner.run("ewelink", ["sync", "--json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONValue.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(report["total"] == 2 && report["withoutKey"]?.arrayValue?.count == 1)
        let stored = try DeviceStore(directory: home).load()
        #expect(stored.first { $0.id == sim.devices[0].id }?.devicekey == sim.devices[0].config.devicekey)

        r = try await CommandRunner.run("ewelink", ["login", "--email", spec.ownerEmail, "--password-stdin"],
                                        environment: env, stdin: "wrong\n")
        #expect(r.status == 9 && r.stderr.contains("10001"))
        var noCreds = env
        noCreds["EWELINK_APP_SECRET"] = nil
        r = try await CommandRunner.run("ewelink", ["sync"], environment: noCreds)
        #expect(r.status == 9 && r.stderr.contains("EWELINK_APP_SECRET"))

        // Nothing secret leaks: not in any output, and the password in no file.
        let files = try FileManager.default.contentsOfDirectory(atPath: home)
        for f in files {
            let text = (try? String(contentsOfFile: home + "/" + f, encoding: .utf8)) ?? ""
            #expect(!text.contains(spec.ownerPassword) && !text.contains(spec.appSecret), "\(f)")
            let mode = try FileManager.default.attributesOfItem(atPath: home + "/" + f)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(f) is \(String(mode ?? 0, radix: 8))")
        }
        #expect(sim.cloud!.stats.violations == 0, "separate processes kept the rate limits together")
    }
}

@Suite("ewelink api and debug sign")
struct APICommandTests {
    @Test("debug sign prints the documented signature")
    func sign() async throws {
        let r = try await CommandRunner.run("ewelink", ["debug", "sign", "--secret", "OdPuCZ4PkPPi0rVKRVcGmll2NM6vVk0c",
                                                        #"{"email":"1234@gmail.com","password":"12345678","countryCode":"+1"}"#])
        #expect(r.lines == ["ttZ/gluzqrafvGonjMD20p4//arW6KoZKbo1SOMEzCA="])
    }

    @Test("api calls any endpoint with the session; cloud errors exit 9 with their meaning")
    func api() async throws {
        let spec = CloudTestFleet([("plug", true)])
        let sim = try await spec.startSimulator()
        defer { Task { await sim.stop() } }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-api-\(UUID().uuidString)").path
        let env = spec.environment(sim, home: home)
        var r = try await CommandRunner.run("ewelink", ["login", "--email", spec.ownerEmail, "--country-code", "+49",
                                                        "--password-stdin"], environment: env, stdin: spec.ownerPassword + "\n")
        #expect(r.status == 0)
        let id = sim.devices[0].id
        r = try await CommandRunner.run("ewelink", ["api", "POST", "/v2/device/thing/status",
                                                    #"{"type":1,"id":"\#(id)","params":{"switch":"on"}}"#], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(sim.devices[0].snapshot.params["switch"] == "on")
        r = try await CommandRunner.run("ewelink", ["api", "GET", "/v2/device/thing/status", "type=1", "id=\(id)",
                                                    "params=switch"], environment: env)
        #expect(r.status == 0)
        #expect(try JSONValue.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["params"] == ["switch": "on"])
        r = try await CommandRunner.run("ewelink", ["api", "GET", "/v2/device/thing/status", "type=1", "id=10nothere0"],
                                        environment: env)
        #expect(r.status == 9 && r.stderr.contains("405"))
        r = try await CommandRunner.run("ewelink", ["api", "FETCH", "/v2/x"], environment: env)
        #expect(r.status == 2)
    }
}

@Suite("ewelink on falls back to the cloud")
struct CLIFallbackTests {
    @Test("A refused LAN is served through REST (route rest); --lan-only keeps the LAN error")
    func fallback() async throws {
        let spec = CloudTestFleet([("plug", true)])
        let sim = try await spec.startSimulator()
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let env = try await spec.cliLoggedIn(sim, addressOf: d)
        var r = try await CommandRunner.run("ewelink", ["on", d.id, "--json"], environment: env)
        #expect(r.status == 0 && r.stdout.contains(#""route":"lan""#), "\(r.stderr)")
        _ = await d.setFaults { $0.lan = .refuse }
        r = try await CommandRunner.run("ewelink", ["off", d.id, "--json"], environment: env)
        #expect(r.status == 0 && r.stdout.contains(#""route":"rest""#), "\(r.stderr)")
        #expect(d.snapshot.params["switch"] == "off")
        r = try await CommandRunner.run("ewelink", ["on", d.id, "--lan-only"], environment: env)
        #expect(r.status == 4)
    }
}
