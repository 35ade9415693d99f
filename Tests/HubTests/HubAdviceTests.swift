import EWeLink
import EWeLinkHubClient
import Foundation
import Testing
import TestSupport

/// The library's messages say what happened and what is missing; the CLI adds which of its
/// commands or options supplies it, the same with a hub as without one (issue 22).
@Suite("ewelink: the CLI's advice on the library's messages, with and without the hub", .serialized)
struct HubAdviceTests {
    @Test("a device without its key, a cloud route without a session: the same advice through the hub; the hub's JSON names the reason, not the advice")
    func adviceThroughTheHub() async throws {
        let f = try await HubFixture([("plug", true), ("plug", true)])
        let plug = f.sim.devices[0], keyless = f.sim.devices[1]
        // The second plug is stored without its key (added by hand, before any `ewelink sync`).
        var r = try await CommandRunner.run("ewelink", ["devices", "remove", keyless.id], environment: f.env)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await CommandRunner.run("ewelink", ["devices", "add", keyless.id, "--name", keyless.config.name, "--no-check"],
                                        environment: f.env)
        #expect(r.status == 0, "\(r.stderr)")
        try await f.startHub()
        let cases: [(args: [String], status: Int32, advice: String)] = [
            (["on", keyless.id], ExitStatus.key, "; run `ewelink sync` or `ewelink devices add \(keyless.id) --devicekey KEY`"),
            (["off", plug.id, "--via", "cloud"], ExitStatus.badInput, "no cloud session: run `ewelink login`"),
        ]
        for c in cases {
            let viaHub = try await CommandRunner.run("ewelink", c.args, environment: f.env)
            let direct = try await CommandRunner.run("ewelink", c.args + ["--no-hub"], environment: f.env)
            #expect(direct.status == c.status && direct.stderr.contains(c.advice), "\(c.args): \(direct.status) \(direct.stderr)")
            #expect(viaHub.status == c.status && viaHub.stderr == direct.stderr, "\(c.args)\n\(viaHub.stderr)\n\(direct.stderr)")
        }
        // The hub's own answer: the library's message without advice, and the reason by name.
        let reply = await HubWire.request(f.socketPath, "POST", "/devices/\(keyless.id)/on")
        let o = reply?.json?.objectValue
        #expect(reply?.status == 502 && o?["exitCode"]?.intValue == Int(ExitStatus.key), "\(reply?.text ?? "no answer")")
        #expect(o?["reason"]?.stringValue == HubFailure.Reason.deviceKeyMissing.rawValue && o?["device"]?.stringValue == keyless.id)
        let message = o?["error"]?.stringValue ?? ""
        #expect(message.contains("no devicekey for \(keyless.id)") && !message.lowercased().contains("ewelink"), "\(message)")
        await f.close()
    }

    @Test("openapi.yaml names every reason a failure can carry")
    func reasonsInTheAPI() throws {
        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/EWeLinkHub/openapi.yaml")
        let text = try String(contentsOf: spec, encoding: .utf8)
        let listed = try #require(text.range(of: "reason:")).upperBound
        let block = text[listed...].prefix { $0 != "]" }
        for reason in HubFailure.Reason.allCases {
            #expect(block.range(of: #"\b\#(reason.rawValue)\b"#, options: .regularExpression) != nil, "\(reason) is not in openapi.yaml")
        }
    }
}
