import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation

/// Devices by address (issue 13): `ewelink scan` of a /28 holding eight simulated devices bound on
/// their own loopback addresses, a /24 where nothing listens, and 1,000 `ewelink on` against a
/// stored device with the store's mtime checked before and after.
enum AddressBenchmark {
    static func run(bin: String, quick: Bool) async throws -> [Row] {
        let kinds: [(String, Bool)] = [("plug", true), ("strip", true), ("diy_plug", false), ("enhanced_plug", true),
                                       ("th_plug", true), ("fan_light", true), ("light", true), ("multifun_switch", true)]
        var started: (Simulator, String, Int)? = nil
        for _ in 0..<10 where started == nil {
            let x = Int.random(in: 16...250), y = Int.random(in: 0...255), port = Int.random(in: 20_000...60_000)
            var devices: [JSONValue] = []
            for (n, kind) in kinds.enumerated() {
                var d: JSONObject = ["id": .string(String(format: "10ad%06x", Int.random(in: 0..<0xffffff))), "type": .string(kind.0),
                                     "host": .string("127.\(x).\(y).\(n + 2)"), "port": .int(port), "readingsIntervalMs": 3_600_000]
                d["devicekey"] = kind.1 ? .string(UUID().uuidString.lowercased()) : .null
                devices.append(.object(d))
            }
            var options = Simulator.Options()
            options.publishMDNS = false
            let sim = Simulator(fleet: try Fleet.parse(JSONValue.object(["devices": .array(devices)]).serializedBytes, file: "scan"),
                                options: options)
            do {
                try await sim.start()
                started = (sim, "127.\(x).\(y).0/28", port)
            } catch {
                await sim.stop()
            }
        }
        guard let (sim, range, port) = started else { throw BenchError("could not bind a scan fleet") }
        defer { Task { await sim.stop() } }
        let home = NSTemporaryDirectory() + "ewelink-bench-scan-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: home) }
        let store = DeviceStore(directory: home)
        try store.update { list in
            list = sim.devices.compactMap { d in d.config.devicekey.map { StoredDevice(id: d.id, devicekey: $0) } }
        }
        let env = ["EWELINK_HOME": home]

        // The /28: every run must find exactly the eight devices, each with its id.
        let runs = quick ? 10 : 30
        var scan = Samples()
        for n in 0..<(runs + 2) {
            let (status, ms, output) = try await offThread { try runCapturing(bin + "/ewelink", ["scan", range, "--port", "\(port)", "--json"], env: env) }
            guard status == 0, let list = try? JSONValue.parse(Array(output.utf8)).arrayValue else {
                throw BenchError("ewelink scan exited \(status)")
            }
            let ids = Set(list.compactMap { $0["id"]?.stringValue })
            guard list.count == sim.devices.count, ids == Set(sim.devices.map(\.id)) else {
                throw BenchError("ewelink scan found \(list.count) devices, \(ids.count) with the right ids: \(output.prefix(600))")
            }
            if n >= 2 { scan.add(ms) }
        }
        // A /24 with nothing listening on the port (loopback refuses at once).
        var empty = Samples()
        for n in 0..<(runs + 2) {
            let (status, ms, _) = try await offThread { try runCapturing(bin + "/ewelink", ["scan", "127.\(Int.random(in: 16...250)).9.0/24", "--port", "9", "--json"], env: env) }
            guard status == 0 else { throw BenchError("ewelink scan of an empty /24 exited \(status)") }
            if n >= 2 { empty.add(ms) }
        }

        // 1,000 `ewelink on` (alternating on/off) to a device whose address is stored: the file
        // must not be written at all.
        let plug = sim.devices[0]
        try store.update { list in
            if let i = list.firstIndex(where: { $0.id == plug.id }) {
                list[i].host = plug.config.host
                list[i].port = plug.snapshot.port
                list[i].hostConfigured = true
                list[i].addressVerified = true
                list[i].type = plug.config.type
            }
        }
        // A few commands first: what they learn (the state's shape, the first reply times) is
        // written then.
        for n in 0..<10 {
            _ = try await offThread { try runProcess(bin + "/ewelink", [n % 2 == 0 ? "on" : "off", plug.id], env: env) }
        }
        let path = home + "/devices.json"
        func stamp() throws -> (Date?, Data) {
            (try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date,
             try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        var last = try stamp()
        var writes = 0
        let loops = quick ? 200 : 1000
        var loop = Samples()
        for n in 0..<loops {
            let (status, ms) = try await offThread { try runProcess(bin + "/ewelink", [n % 2 == 0 ? "off" : "on", plug.id], env: env) }
            guard status == 0 else { throw BenchError("ewelink on exited \(status) in the store-wear loop") }
            loop.add(ms)
            let now = try stamp()
            if now.0 != last.0 || now.1 != last.1 {
                writes += 1
                print("store written after command \(n + 1): \(String(decoding: now.1, as: UTF8.self).prefix(400))")
            }
            last = now
        }
        return [
            Row(key: "scan28_p50_ms", label: "`ewelink scan` of a /28 holding 8 devices (all found, ids checked): p50", value: scan.p50, unit: "ms", target: 2000),
            Row(key: "scan28_p95_ms", label: "`ewelink scan` of a /28 holding 8 devices: p95", value: scan.p95, unit: "ms", target: nil),
            Row(key: "scan24_empty_p50_ms", label: "`ewelink scan` of a /24 where nothing listens: p50", value: empty.p50, unit: "ms", target: 2000),
            Row(key: "store_writes_1000_on", label: "devices.json writes during \(loops) × `ewelink on|off` (mtime and bytes checked after each)",
                value: Double(writes), unit: "writes", target: 0),
            Row(key: "cli_on_loop_p50_ms", label: "those \(loops) one-shot commands: p50", value: loop.p50, unit: "ms", target: nil),
        ]
    }

    /// Runs blocking work (waiting for a child process) on its own thread: the in-process
    /// simulator needs the executor's threads meanwhile.
    static func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    static func runCapturing(_ path: String, _ arguments: [String], env: [String: String]) throws -> (Int32, Double, String) {
        let p = childProcess(path, arguments, env: env)
        let out = Pipe()
        p.standardOutput = out
        let start = ContinuousClock.now
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, Samples.ms(ContinuousClock.now - start), String(decoding: data, as: UTF8.self))
    }
}
