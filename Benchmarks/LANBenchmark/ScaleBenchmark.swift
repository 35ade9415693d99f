import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation

/// Discovery with fleets of 10, 50 and 200 simulated devices announced through the avahi-daemon,
/// and the footprint of a long-running `ewelink watch` following 200 devices.
enum ScaleBenchmark {
    static func fleet(_ count: Int, tag: Int) throws -> Fleet {
        var devices: [JSONValue] = []
        for n in 0..<count {
            devices.append(["id": .string(String(format: "1d%02x%06x", tag, n)), "type": "plug", "port": 0,
                            "devicekey": .string(UUID().uuidString.lowercased()), "name": .string("scale \(n)")])
        }
        return try Fleet.parse(JSONValue.object(["devices": .array(devices)]).serializedBytes, file: "scale")
    }

    static func run(bin: String, quick: Bool) async throws -> [Row] {
        var rows: [Row] = []
        let index = try AvahiConnection.interfaceIndex(named: "lo")
        for (tag, count) in [10, 50, 200].enumerated() {
            let sim = Simulator(fleet: try fleet(count, tag: tag + Int.random(in: 1...200)))
            let startPublish = ContinuousClock.now
            try await sim.start()
            let published = Samples.ms(ContinuousClock.now - startPublish)
            let ids = Set(sim.devices.map(\.id))
            var s = Samples()
            for _ in 0..<(quick ? 3 : 7) {
                let connection = try AvahiConnection()
                let start = ContinuousClock.now
                let (found, complete) = try await LANDiscovery.discover(connection: connection, interfaceIndex: index,
                                                                         timeout: .seconds(30), keys: { _ in nil })
                let ms = Samples.ms(ContinuousClock.now - start)
                let mine = found.filter { ids.contains($0.id) }.count
                guard complete, mine == count else { throw BenchError("discovered \(mine) of \(count)") }
                s.add(ms)
            }
            rows.append(Row(key: "discover\(count)_p50_ms", label: "discovery, \(count) devices, complete list (in process): p50",
                            value: s.p50, unit: "ms", target: nil))
            rows.append(Row(key: "publish\(count)_ms", label: "simulator: \(count) services established in avahi (for scale)",
                            value: published, unit: "ms", target: nil))
            if count == 200 { rows += try await watchFootprint(sim, bin: bin, quick: quick) }
            await sim.stop()
        }
        return rows
    }

    /// `ewelink watch --json` on 200 devices while every device changes state a few times.
    static func watchFootprint(_ sim: Simulator, bin: String, quick: Bool) async throws -> [Row] {
        let home = NSTemporaryDirectory() + "ewelink-bench-watch-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try DeviceStore(directory: home).update { list in
            list = sim.devices.map { StoredDevice(id: $0.id, name: $0.config.name, devicekey: $0.config.devicekey) }
        }
        let rounds = quick ? 2 : 4
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin + "/ewelink")
        p.arguments = ["watch", "--json", "--no-cloud", "--duration", String(4 + rounds * 2)]
        p.environment = ["EWELINK_HOME": home, "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        let collected = LinesCollector(out.fileHandleForReading)
        try p.run()
        let pid = p.processIdentifier
        try await Task.sleep(for: .seconds(3))
        let appeared = collected.count
        let cpuBefore = cpuTicks(pid)
        let rssBefore = status(pid, "VmRSS")
        for round in 0..<rounds {
            for d in sim.devices { d.applyFromCloud(["switch": round % 2 == 0 ? "on" : "off"]) }
            try await Task.sleep(for: .milliseconds(1900))
        }
        let cpuAfter = cpuTicks(pid)
        let peak = status(pid, "VmHWM")
        let anon = status(pid, "RssAnon")
        let pss = smapsRollup(pid, "Pss")
        p.waitUntilExit()
        collected.finish()
        let updates = collected.count - appeared
        guard updates > 0, let cpuBefore, let cpuAfter else { throw BenchError("watch saw no updates") }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let cpuMs = Double(cpuAfter - cpuBefore) / ticksPerSecond * 1000
        return [
            Row(key: "watch200_rss_mb", label: "`ewelink watch`, 200 devices: peak RSS", value: Double(peak ?? 0) / 1024, unit: "MB", target: 30),
            Row(key: "watch200_rss_idle_mb", label: "`ewelink watch`, 200 devices: RSS after the initial listing", value: Double(rssBefore ?? 0) / 1024, unit: "MB", target: nil),
            Row(key: "watch200_anon_mb", label: "`ewelink watch`, 200 devices: private (anonymous) memory at the end", value: Double(anon ?? 0) / 1024, unit: "MB", target: nil),
            Row(key: "watch200_pss_mb", label: "`ewelink watch`, 200 devices: PSS (shared libraries counted proportionally)", value: Double(pss ?? 0) / 1024, unit: "MB", target: nil),
            Row(key: "watch200_cpu_per_update_ms", label: "`ewelink watch`: CPU per TXT update (\(updates) updates, \(appeared) appearances)",
                value: cpuMs / Double(updates), unit: "ms", target: nil),
        ]
    }

    /// utime + stime of a process, in clock ticks.
    static func cpuTicks(_ pid: Int32) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Int(fields[11]), let s = Int(fields[12]) else { return nil }
        return u + s
    }

    /// A `kB` field of /proc/PID/smaps_rollup.
    static func smapsRollup(_ pid: Int32, _ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
    }

    /// A `kB` field of /proc/PID/status.
    static func status(_ pid: Int32, _ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
    }
}

/// Counts the lines a process writes, on a thread of its own.
final class LinesCollector: Sendable {
    private let box: Box

    init(_ handle: FileHandle) {
        let box = Box()
        let thread = Thread {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                box.add(data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
            }
        }
        self.box = box
        thread.start()
    }
    var count: Int { box.value }
    func finish() { Thread.sleep(forTimeInterval: 0.2) }

    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func add(_ k: Int) { lock.lock(); n += k; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return n }
    }
}
