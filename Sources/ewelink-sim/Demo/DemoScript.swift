import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation

/// The demo's steps: each runs the real `ewelink` executable (against a temporary EWELINK_HOME and
/// the mock cloud) and is checked against the simulated device itself, not against what the client
/// says.
struct DemoScript: Sendable {
    let sim: Simulator
    let fleet: Fleet
    let account: CloudFleet.Account
    let appID: String
    let appSecret: String
    let tool: URL
    let home: String
    let log: DemoLog

    /// Runs `ewelink ARGS`; returns the command line as shown and the result, or throws with its
    /// error line when it failed.
    private func ewelink(_ arguments: [String], stdin: String? = nil) async throws -> (String, ProcessResult) {
        let environment = ["EWELINK_HOME": home, "EWELINK_API_URL": sim.cloud!.baseURL, "EWELINK_APP_ID": appID,
                           "EWELINK_APP_SECRET": appSecret]
        let shown = "ewelink " + arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        let r = try await ProcessRunner.run(tool, arguments, environment: environment, stdin: stdin)
        guard r.status == 0 else {
            throw DemoFailure("`\(shown)` exited \(r.status): \(r.stderr.split(separator: "\n").last.map(String.init) ?? "")")
        }
        return (shown, r)
    }

    /// The last JSON object a command printed.
    private func lastObject(_ r: ProcessResult) throws -> JSONValue {
        guard let line = r.lines.last, let v = try? JSONValue.parse(line), v.objectValue != nil else {
            throw DemoFailure("no JSON in the output: \(r.stdout.prefix(200))")
        }
        return v
    }

    func run() async -> Bool {
        guard await log.step("start the simulated fleet and the mock cloud", {
            try await sim.start()
            return (nil, "\(sim.devices.count) devices on 127.0.0.1, announced through avahi on lo; mock cloud at \(sim.cloud!.baseURL); "
                + "EWELINK_HOME=\(home)")
        }) else { return false }
        let wrongRegion: CloudRegion = account.region == .us ? .eu : .us
        guard await log.step("log in to the (mock) cloud", {
            var args = ["login", "--country-code", account.countryCode, "--region", wrongRegion.rawValue, "--password-stdin", "--json"]
            args += account.email.map { ["--email", $0] } ?? ["--phone", account.phoneNumber ?? ""]
            let (shown, r) = try await ewelink(args, stdin: account.password + "\n")
            let region = try lastObject(r)["region"]?.stringValue
            guard region == account.region.rawValue else { throw DemoFailure("ended in region \(region ?? "?")") }
            let mode = (try FileManager.default.attributesOfItem(atPath: home + "/cloud.json")[.posixPermissions] as? Int) ?? 0
            guard mode == 0o600 else { throw DemoFailure("cloud.json has mode \(String(mode, radix: 8))") }
            return (shown, "asked \(wrongRegion.rawValue), redirected to \(account.region.rawValue); tokens in cloud.json (0600), password not stored")
        }) else { return false }
        guard await log.step("pull every device's key once", {
            let (shown, r) = try await ewelink(["sync", "--json"])
            let total = try lastObject(r)["total"]?.intValue ?? 0
            guard total == sim.devices.count else { throw DemoFailure("synced \(total) of \(sim.devices.count)") }
            return (shown, "\(total) devices with their keys in devices.json (0600); the LAN needs no cloud from now on")
        }) else { return false }
        guard await log.step("list the LAN through avahi", {
            let (shown, r) = try await ewelink(["discover", "--json", "--timeout", "5"])
            let ids = Set(sim.devices.map(\.id))
            // Other eWeLink services on the loopback (another simulator) are not the demo's.
            let found = (try? JSONValue.parse(r.stdout).arrayValue ?? []) ?? []
            let ours = found.filter { ids.contains($0["id"]?.stringValue ?? "") }
            guard Set(ours.compactMap { $0["id"]?.stringValue }) == ids else {
                throw DemoFailure("found \(ours.count) of \(ids.count) devices")
            }
            let decrypted = ours.filter { $0["state"].map { $0 != .null } ?? false }.count
            return (shown, "\(ours.count) devices, \(decrypted) states decrypted with the synced keys")
        }) else { return false }

        guard let target = sim.devices.first(where: { $0.config.devicekey != nil && $0.config.otaAvailable != nil })
            ?? sim.devices.first(where: { $0.config.devicekey != nil }) else { return false }
        let name = target.config.name.lowercased()
        var ok = await log.step("switch \(name) on over the LAN", {
            let (shown, r) = try await ewelink(["on", name, "--json"])
            return (shown, try check(lastObject(r), route: "lan", target, "on"))
        })
        ok = await log.step("its LAN port refuses: off falls back to the cloud", {
            _ = await target.setFaults { $0.lan = .refuse }
            let (shown, r) = try await ewelink(["off", name, "--json"])
            return (shown, try check(lastObject(r), route: "rest", target, "off") + " (the refused connection cost next to nothing)")
        }) && ok
        ok = await log.step("its LAN answers after 2 s: the command is hedged through the cloud", {
            _ = await target.setFaults { $0.lan = .ok; $0.delayMs = 2000 }
            let (shown, r) = try await ewelink(["on", name, "--json"])
            let o = try lastObject(r)
            let detail = try check(o, route: "rest", target, "on")
            guard (o["elapsedMs"]?.doubleValue ?? 9999) < 2000 else { throw DemoFailure("took \(detail)") }
            return (shown, detail + " instead of 2000; the late LAN reply repeats the same absolute command")
        }) && ok
        _ = await target.setFaults { $0.lan = .ok; $0.delayMs = 0 }
        if let offered = target.config.otaAvailable?["version"]?.stringValue {
            ok = await log.step("upgrade \(name)'s firmware through the cloud, followed to the new version", {
                let before = target.snapshot.fwVersion
                let (shown, _) = try await ewelink(["ota", "upgrade", name, "--json", "--timeout", "60"])
                guard target.snapshot.fwVersion == offered else { throw DemoFailure("the device runs \(target.snapshot.fwVersion)") }
                return (shown, "\(before) → \(offered): acknowledged, rebooted (offline, online), new version reported")
            }) && ok
        }
        ok = await log.step("switch \(name) off over the LAN again after its reboot", {
            _ = await target.setFaults { $0.lan = .ok }
            let (shown, r) = try await ewelink(["off", name, "--via", "lan", "--json"])
            return (shown, try check(lastObject(r), route: "lan", target, "off"))
        }) && ok
        ok = await log.step("run the hub (`ewelink serve`) and switch \(name) through it", {
            try await throughHub(target, name: name)
        }) && ok
        return ok
    }

    /// Starts `ewelink serve` on this demo's store, switches the device through it and without it
    /// (`--no-hub`) five times each, and stops it with SIGTERM: the detail compares the two.
    private func throughHub(_ target: SimulatedDevice, name: String) async throws -> (command: String?, detail: String) {
        let hub = Process()
        hub.executableURL = tool
        hub.arguments = ["serve", "--log-level", "warning"]
        var environment = ProcessInfo.processInfo.environment
        environment["EWELINK_HOME"] = home
        environment["EWELINK_API_URL"] = sim.cloud!.baseURL
        environment["EWELINK_APP_ID"] = appID
        environment["EWELINK_APP_SECRET"] = appSecret
        hub.environment = environment
        let logPath = home + "/hub.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let logFile = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        hub.standardOutput = logFile
        hub.standardError = logFile
        try hub.run()
        defer { if hub.isRunning { kill(hub.processIdentifier, SIGKILL) } }
        let socket = home + "/hub.sock"
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: socket) {
            guard hub.isRunning, ContinuousClock.now < deadline else {
                throw DemoFailure("the hub did not start: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        var viaHub: [Double] = [], direct: [Double] = []
        var shown = ""
        for i in 0..<5 {
            let value = i % 2 == 0 ? "on" : "off"
            let (line, r) = try await ewelink([value, name, "--json"])
            _ = try check(lastObject(r), route: "lan", target, value)
            viaHub.append(r.elapsed.inMilliseconds)
            if i == 0 { shown = line }
            let (_, d) = try await ewelink([value == "on" ? "off" : "on", name, "--json", "--no-hub"])
            _ = try check(lastObject(d), route: "lan", target, value == "on" ? "off" : "on")
            direct.append(d.elapsed.inMilliseconds)
        }
        kill(hub.processIdentifier, SIGTERM)
        while hub.isRunning && ContinuousClock.now < deadline + .seconds(10) { try await Task.sleep(for: .milliseconds(20)) }
        guard !hub.isRunning, hub.terminationStatus == 0 else { throw DemoFailure("the hub did not stop cleanly on SIGTERM") }
        let median = { (v: [Double]) in v.sorted()[v.count / 2] }
        return (shown + "   (with `ewelink serve` running)", String(format: "whole `ewelink on/off` process: median %.1f ms through the hub, %.1f ms doing the work itself "
            + "(--no-hub), 5 runs each; same JSON, route lan, checked on the device; the hub stopped cleanly on SIGTERM",
            median(viaHub), median(direct)))
    }

    /// Checks a command's JSON result against the simulated device; its detail line.
    private func check(_ o: JSONValue, route: String, _ device: SimulatedDevice, _ value: String) throws -> String {
        guard o["route"]?.stringValue == route else {
            throw DemoFailure("went by \(o["route"]?.stringValue ?? "?"), expected \(route)")
        }
        guard device.snapshot.params["switch"]?.stringValue == value else {
            throw DemoFailure("the device reports switch=\(device.snapshot.params["switch"].map { "\($0)" } ?? "nothing"), expected \(value)")
        }
        return "route \(route), \(String(format: "%.1f", o["elapsedMs"]?.doubleValue ?? 0)) ms; the device reports switch=\(value)"
    }
}
