import EWeLink
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Issue 23: a command that needs the cloud (the device refuses LAN connections), whole
/// `ewelink on` processes through a hub that holds the cloud WebSocket beside `--no-hub` (which
/// starts the cloud client in its own process: REST). One plug in `ewelink-sim` with its mock
/// cloud (real HTTP and WebSocket on loopback), logged in and synced by the real `ewelink`.
enum HubCloudBenchmark {
    static func run(bin: String, runs: Int) async throws -> [Row] {
        let id = String(format: "10cb%06x", Int.random(in: 0..<0xffffff))
        let key = UUID().uuidString.lowercased(), apikey = UUID().uuidString.lowercased()
        let (appID, secret) = ("benchApp" + String(Int.random(in: 100_000...999_999)), "bench-" + UUID().uuidString)
        let (email, password) = ("bench@example.com", "bench-" + UUID().uuidString)
        let fleet: JSONObject = [
            "devices": [["id": .string(id), "name": "Cloud bench", "type": "plug", "port": 0, "devicekey": .string(key),
                         "apikey": .string(apikey)]],
            "cloud": ["appId": .string(appID), "appSecret": .string(secret),
                      "accounts": [["email": .string(email), "password": .string(password), "countryCode": "+49", "region": "eu",
                                    "apikey": .string(apikey), "nickname": "Bench", "devices": [.string(id)]]]],
        ]
        let home = "/tmp/ewbc-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: home) }
        let sim = try SimulatorProcess(bin: bin, fleet: fleet, name: "cloud", arguments: ["--no-mdns", "--cloud-port", "0"])
        defer { sim.stop() }
        guard let cloud = sim.ready["cloud"]?.stringValue, let control = sim.ready["control"]?.stringValue,
              let port = sim.devices.first?.port else { throw BenchError("ewelink-sim's ready line lacks the cloud") }
        let env = ["EWELINK_HOME": home, "EWELINK_API_URL": cloud, "EWELINK_APP_ID": appID, "EWELINK_APP_SECRET": secret]
        let login = childProcess(bin + "/ewelink", ["login", "--email", email, "--country-code", "+49", "--password-stdin"], env: env)
        let input = Pipe()
        login.standardInput = input
        login.standardOutput = FileHandle.nullDevice
        try login.run()
        input.fileHandleForWriting.write(Data((password + "\n").utf8))
        try input.fileHandleForWriting.close()
        login.waitUntilExit()
        guard login.terminationStatus == 0 else { throw BenchError("ewelink login exited \(login.terminationStatus)") }
        guard try runProcess(bin + "/ewelink", ["sync"], env: env).0 == 0 else { throw BenchError("ewelink sync failed") }
        // The address, proven, as `devices add` leaves it; then the device refuses the LAN.
        try DeviceStore(directory: home).update { list in
            if let i = list.firstIndex(where: { $0.id == id }) {
                list[i].host = "127.0.0.1"
                list[i].port = port
                list[i].addressVerified = true
            }
        }
        let fault = try runProcess("/usr/bin/curl", ["-sf", "-o", "/dev/null", "-X", "POST", "-H", "Content-Type: application/json",
                                                     "--data", #"{"lan":"refuse"}"#, control + "/devices/\(id)/fault"], env: [:])
        guard fault.0 == 0 else { throw BenchError("the simulator's control API refused the fault (curl \(fault.0))") }

        let socket = home + "/hub.sock"
        let hub = childProcess(bin + "/ewelink", ["serve"], env: env)
        hub.standardOutput = FileHandle.nullDevice
        try hub.run()
        defer { hub.terminate(); hub.waitUntilExit() }
        let deadline = ContinuousClock.now + .seconds(30)
        while HubHTTP.request(socket, "GET", "/health")?.body.contains("\"connected\"") != true {
            guard ContinuousClock.now < deadline, hub.isRunning else { throw BenchError("the hub did not connect to the mock cloud") }
            try await Task.sleep(for: .milliseconds(50))
        }
        let spawnEnv = env.map { "\($0.key)=\($0.value)" } + ["PATH=/usr/bin:/bin", "HOME=\(home)"]
        var viaHub = Samples(), direct = Samples(), routes: Set<String> = []
        for n in 0..<(runs + 3) {
            let value = n % 2 == 0 ? "on" : "off"
            let h = try StartupBenchmark.spawn(bin + "/ewelink", [value, id], env: spawnEnv)
            let d = try StartupBenchmark.spawn(bin + "/ewelink", [value, id, "--no-hub"], env: spawnEnv)
            guard h.status == 0, d.status == 0 else { throw BenchError("ewelink \(value) exited \(h.status) (hub) / \(d.status) (--no-hub)") }
            if n >= 3 { viaHub.add(h.ms); direct.add(d.ms) }
        }
        for args in [["on", id, "--json"], ["on", id, "--json", "--no-hub"]] {
            let p = childProcess(bin + "/ewelink", args, env: env)
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            routes.insert((try? JSONValue.parse(Array(data)))?["route"]?.stringValue ?? "?")
        }
        print("hub cloud: routes \(routes.sorted())")
        return [
            Row(key: "hub_cloud_cli_p50_ms", label: "`ewelink on ID`, LAN refused, through the hub (its WebSocket): p50",
                value: viaHub.p50, unit: "ms", target: nil),
            Row(key: "hub_cloud_direct_p50_ms", label: "`ewelink on ID --no-hub`, LAN refused (REST from the process): p50",
                value: direct.p50, unit: "ms", target: nil),
            Row(key: "hub_cloud_ratio", label: "LAN refused: through the hub ÷ `--no-hub` (p50s; issue 23: 3× faster, ≤ 0.33)",
                value: viaHub.p50 / direct.p50, unit: "×", target: 0.34),
        ]
    }
}
