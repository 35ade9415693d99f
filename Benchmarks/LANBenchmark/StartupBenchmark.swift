import EWeLink
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Start-up of the one-shot CLI: the installed binary (`scripts/install`: static Swift runtime,
/// stripped) beside the dynamic release build, in one run, runs interleaved so both see the same
/// machine load. Processes are started with `posix_spawn` and reaped with `wait4`, output to
/// /dev/null, so the timing holds no Foundation `Process` machinery (its floor is a row too).
enum StartupBenchmark {
    static let heading = "## Start-up (installed binary)"

    static func run(installed: String, dynamic: String, device: (id: String, port: Int, key: String?),
                    runs: Int) throws -> [Row] {
        let home = NSTemporaryDirectory() + "ewelink-bench-startup-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try DeviceStore(directory: home).update { list in
            list = [StoredDevice(id: device.id, name: "bench", devicekey: device.key, type: DeviceType(rawValue: "plug"),
                                 host: "127.0.0.1", port: device.port, addressVerified: true)]
        }
        let env = ["EWELINK_HOME=\(home)", "PATH=/usr/bin:/bin", "HOME=\(home)"]
        // curl posting a prepared encrypted request, in the same loop (issue 23: the one-shot
        // commands are measured against it side by side, not against another run's number).
        let body = home + "-curl.json"
        defer { try? FileManager.default.removeItem(atPath: body) }
        if let key = device.key {
            let request = try ZeroconfRequest.encrypted(["switch": "on"], deviceID: device.id, cipher: DeviceCipher(devicekey: key))
            try Data(request.body).write(to: URL(fileURLWithPath: body))
        }
        let curlPath = ["/usr/bin/curl", "/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let curlArgs = ["-s", "-f", "-o", "/dev/null", "-H", "Content-Type: application/json", "--data-binary", "@" + body,
                        "http://127.0.0.1:\(device.port)/zeroconf/switch"]
        var floor = Samples(), curl = Samples(), version = [Samples(), Samples()], on = [Samples(), Samples()]
        var versionCPU = [Samples(), Samples()], onCPU = [Samples(), Samples()], status = [Samples(), Samples()]
        let bins = [installed + "/ewelink", dynamic + "/ewelink"]
        for n in 0..<(runs + 5) {
            let t = try spawn("/bin/true", [], env: env)
            if let curlPath, device.key != nil {
                let c = try spawn(curlPath, curlArgs, env: env)
                guard c.status == 0 else { throw BenchError("curl exited \(c.status)") }
                if n >= 5 { curl.add(c.ms) }
            }
            for (i, bin) in bins.enumerated() {
                let v = try spawn(bin, ["--version"], env: env)
                let o = try spawn(bin, [n % 2 == 0 ? "on" : "off", device.id], env: env)
                let s = try spawn(bin, ["status", device.id], env: env)
                guard v.status == 0, o.status == 0, s.status == 0 else {
                    throw BenchError("\(bin): --version exited \(v.status), on exited \(o.status), status exited \(s.status)")
                }
                if n >= 5 {
                    version[i].add(v.ms); on[i].add(o.ms); status[i].add(s.ms)
                    versionCPU[i].add(v.cpuMs); onCPU[i].add(o.cpuMs)
                }
            }
            if n >= 5 { floor.add(t.ms) }
        }
        let mb = { (path: String) -> Double in
            Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1_000_000
        }
        var rows = [
            Row(key: "startup_floor_p50_ms", label: "process floor: `/bin/true` spawned and reaped: p50",
                value: floor.p50, unit: "ms", target: nil),
            Row(key: "startup_version_installed_p50_ms", label: "`ewelink --version`, installed (static, stripped): p50",
                value: version[0].p50, unit: "ms", target: 3),
            Row(key: "startup_version_installed_p95_ms", label: "`ewelink --version`, installed: p95",
                value: version[0].p95, unit: "ms", target: nil),
            Row(key: "startup_version_dynamic_p50_ms", label: "`ewelink --version`, dynamic release build: p50",
                value: version[1].p50, unit: "ms", target: nil),
            Row(key: "startup_version_cpu_installed_p50_ms", label: "`ewelink --version`, CPU time (user + system), installed: p50",
                value: versionCPU[0].p50, unit: "ms", target: nil),
            Row(key: "startup_version_cpu_dynamic_p50_ms", label: "`ewelink --version`, CPU time, dynamic release build: p50",
                value: versionCPU[1].p50, unit: "ms", target: nil),
            Row(key: "startup_on_installed_p50_ms", label: "`ewelink on ID` (known address, encrypted), installed: p50",
                value: on[0].p50, unit: "ms", target: nil),
            Row(key: "startup_on_installed_p95_ms", label: "`ewelink on ID`, installed: p95",
                value: on[0].p95, unit: "ms", target: nil),
            Row(key: "startup_on_dynamic_p50_ms", label: "`ewelink on ID`, dynamic release build: p50",
                value: on[1].p50, unit: "ms", target: nil),
            Row(key: "startup_on_cpu_installed_p50_ms", label: "`ewelink on ID`, CPU time, installed: p50",
                value: onCPU[0].p50, unit: "ms", target: nil),
            Row(key: "startup_on_cpu_dynamic_p50_ms", label: "`ewelink on ID`, CPU time, dynamic release build: p50",
                value: onCPU[1].p50, unit: "ms", target: nil),
            Row(key: "startup_on_rss_installed_mb", label: "`ewelink on ID`, peak RSS (`/usr/bin/time -f %M`), installed: p50",
                value: try peakRSS(bins[0], [device.id], env: env), unit: "MB", target: 10),
            Row(key: "startup_status_installed_p50_ms", label: "`ewelink status ID` (known address), installed: p50",
                value: status[0].p50, unit: "ms", target: nil),
            Row(key: "startup_status_dynamic_p50_ms", label: "`ewelink status ID`, dynamic release build: p50",
                value: status[1].p50, unit: "ms", target: nil),
            Row(key: "size_installed_mb", label: "installed `ewelink` (static runtime, stripped): size",
                value: mb(bins[0]), unit: "MB", target: 25),
            Row(key: "size_dynamic_mb", label: "dynamic release `ewelink` (as built): size",
                value: mb(bins[1]), unit: "MB", target: nil),
            Row(key: "size_installed_sim_mb", label: "installed `ewelink-sim`: size",
                value: mb(installed + "/ewelink-sim"), unit: "MB", target: nil),
        ]
        if !curl.values.isEmpty {
            rows += [
                Row(key: "startup_curl_p50_ms", label: "`curl` posting a prepared encrypted request, same loop: p50",
                    value: curl.p50, unit: "ms", target: nil),
                Row(key: "startup_on_curl_ratio", label: "`ewelink on ID` installed ÷ `curl`, same loop (p50s)",
                    value: on[0].p50 / curl.p50, unit: "×", target: 0.5),
                Row(key: "startup_status_curl_ratio", label: "`ewelink status ID` installed ÷ `curl`, same loop (p50s)",
                    value: status[0].p50 / curl.p50, unit: "×", target: 0.5),
            ]
        }
        return rows
    }

    /// The previous values of issue 14 (same machine kind, median of 15 runs), shown until a run of
    /// this benchmark has stored its own.
    static let issueValues: [String: String] = [
        "startup_version_installed_p50_ms": "12 (static, issue 14)",
        "startup_version_dynamic_p50_ms": "17–22 (issue 14)",
        "startup_on_installed_p50_ms": "25 (static, issue 14)",
        "startup_on_dynamic_p50_ms": "31 (issue 14)",
        "size_dynamic_mb": "88 (issue 14)",
        "size_installed_mb": "88 (dynamic, issue 14)",
    ]

    /// One process, started and reaped; wall milliseconds, and its CPU time (user + system), which
    /// other load on the machine changes much less than the wall time.
    static func spawn(_ path: String, _ arguments: [String], env: [String]) throws -> Spawned {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw BenchError("cannot start \(path): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let ms = Samples.ms(ContinuousClock.now - start)
        let exited = status & 0x7f == 0
        let cpu = { (t: timeval) in Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
        return Spawned(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), ms: ms,
                       cpuMs: cpu(usage.ru_utime) + cpu(usage.ru_stime))
    }

    /// The peak resident memory of `ewelink on` with `arguments`, median of 9 runs, as
    /// `/usr/bin/time` reports it: `wait4`'s own figure after `posix_spawn` (a vfork) starts from
    /// the benchmark's memory, not the child's.
    static func peakRSS(_ bin: String, _ arguments: [String], env: [String]) throws -> Double {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { return .nan }
        var rss = Samples()
        let out = NSTemporaryDirectory() + "ewelink-bench-rss-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: out) }
        for n in 0..<9 {
            let r = try spawn("/usr/bin/time", ["-f", "%M", "-o", out, bin, n % 2 == 0 ? "on" : "off"] + arguments, env: env)
            guard r.status == 0, let text = try? String(contentsOfFile: out, encoding: .utf8),
                  let kb = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw BenchError("/usr/bin/time \(bin) exited \(r.status)")
            }
            rss.add(kb / 1024)
        }
        return rss.p50
    }

    /// How a spawned process went: exit status, wall and CPU milliseconds.
    struct Spawned {
        var status: Int32
        var ms: Double
        var cpuMs: Double
    }

    /// RESULTS.md cut at its second-level headings: the text before the first, then each section
    /// (heading line included).
    static func sections(_ text: String) -> (head: String, sections: [String]) {
        var parts = text.components(separatedBy: "\n## ")
        let head = parts.removeFirst()
        return (head, parts.map { "## " + $0 })
    }
}
