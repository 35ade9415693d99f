import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

@Suite("Secrets")
struct SecretsTests {
    @Test("No output or error of any command, good or bad, holds the app secret, a password, a token or a devicekey; secret files are 0600")
    func nothingLeaks() async throws {
        let spec = CloudTestFleet([("plug", true), ("strip", true)])
        let sim = try await spec.startSimulator()
        defer { Task { await sim.stop() } }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-secrets-\(UUID().uuidString)").path
        let env = spec.environment(sim, home: home)
        var transcript = ""
        func run(_ args: [String], stdin: String? = nil, environment: [String: String]? = nil) async throws -> TestSupport.CommandResult {
            let r = try await CommandRunner.run("ewelink", args, environment: environment ?? env, stdin: stdin)
            transcript += r.stdout + r.stderr
            return r
        }
        let login = ["login", "--email", spec.ownerEmail, "--country-code", "+49", "--password-stdin"]
        #expect(try await run(login, stdin: "wrong-\(spec.ownerPassword)\n").status == 9)
        var badSecret = env
        badSecret["EWELINK_APP_SECRET"] = spec.appSecret + "x"
        #expect(try await run(login, stdin: spec.ownerPassword + "\n", environment: badSecret).status == 9)
        #expect(try await run(login + ["--json"], stdin: spec.ownerPassword + "\n").status == 0)
        #expect(try await run(["sync", "--json"]).status == 0)
        let plug = sim.devices[0], strip = sim.devices[1]
        _ = try await run(["devices", "add", plug.id, "--host", "127.0.0.1:\(plug.snapshot.port)"])
        _ = try await run(["devices", "add", strip.id, "--host", "127.0.0.1:\(strip.snapshot.port)", "--devicekey", "not-the-key", "--no-check"])
        _ = try await run(["devices", "--json"])
        _ = try await run(["devices"])
        #expect(try await run(["on", plug.id, "--json"]).status == 0)
        #expect(try await run(["on", strip.id, "--json", "--lan-only"]).status == 8)   // wrong key, named as such
        #expect(try await run(["on", strip.id, "--json"]).status == 0)                // the cloud carries it
        _ = await plug.setFaults { $0.lan = .refuse }
        #expect(try await run(["off", plug.id, "--json"]).status == 0)
        _ = try await run(["ota", "check", "--json"])
        _ = try await run(["status", plug.id, "--json"])
        sim.cloud!.expireTokens()
        #expect(try await run(["on", plug.id, "--json"]).status == 0)                // refreshed on the way
        sim.cloud!.revokeSessions()
        #expect(try await run(["off", plug.id]).status != 0)
        #expect(try await run(["sync"]).status == 9)

        let session = try String(contentsOfFile: home + "/cloud.json", encoding: .utf8)
        let tokens = try JSONValue.parse(session)
        var secrets = [spec.appSecret, spec.ownerPassword, "wrong-\(spec.ownerPassword)", "not-the-key"]
        secrets += [tokens["at"]?.stringValue, tokens["rt"]?.stringValue].compactMap { $0 }
        secrets += sim.devices.compactMap { $0.config.devicekey }
        for secret in secrets {
            #expect(!transcript.contains(secret), "a secret appeared in the output")
        }
        #expect(transcript.contains("ewelink login"), "the revoked session says what to do")
        for file in try FileManager.default.contentsOfDirectory(atPath: home) where !file.hasSuffix(".lock") {
            let mode = try FileManager.default.attributesOfItem(atPath: home + "/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file) is \(String(mode ?? 0, radix: 8))")
            let text = (try? String(contentsOfFile: home + "/" + file, encoding: .utf8)) ?? ""
            #expect(!text.contains(spec.ownerPassword) && !text.contains(spec.appSecret), "\(file) holds a password or the app secret")
        }
    }
}
