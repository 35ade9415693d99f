import EWeLink
import EWeLinkLAN
import Foundation
import NIOPosix
import NIOCore

// Benchmarks of the LAN path against `ewelink-sim` running as its own process on loopback.
// Usage: ewelink-bench --bin DIR --out Benchmarks/RESULTS.md [--installed DIR [--startup-only]] [--quick]
// --bin DIR holds the (release) ewelink and ewelink-sim executables; --installed DIR the ones
// scripts/install put in PREFIX/bin (static runtime, stripped), measured beside them for start-up.
// --startup-only runs only the start-up rows and rewrites only their section of RESULTS.md;
// --instructions-only the instruction counts (scripts/instructions) and their section.
// --count-send PORT ID KEY: one counted send for scripts/instructions (see CountedSend).

struct Options {
    var bin = ".build/release"
    var out = "Benchmarks/RESULTS.md"
    var json = "Benchmarks/results.json"
    var quick = false
    var installed: String?
    var startupOnly = false
    var hubOnly = false
    var instructionsOnly = false
    var mqttOnly = false
}

// Swift concurrency on NIO's event-loop threads: no thread hop between the network and the awaiting
// task. An application opts in the same way (see README); measured here as the recommended setup.
let onNIOExecutor = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

var options = Options()
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--bin": options.bin = args.next() ?? options.bin
    case "--out": options.out = args.next() ?? options.out
    case "--json": options.json = args.next() ?? options.json
    case "--quick": options.quick = true
    case "--installed": options.installed = args.next()
    case "--startup-only": options.startupOnly = true
    case "--hub-only": options.hubOnly = true
    case "--instructions-only": options.instructionsOnly = true
    case "--count-send":
        // scripts/instructions: one counted send to a simulator it started, nothing else.
        guard let port = args.next().flatMap(Int.init), let id = args.next(), let key = args.next() else {
            FileHandle.standardError.write(Data("usage: ewelink-bench --count-send PORT ID KEY\n".utf8))
            exit(2)
        }
        try await CountedSend.run(port: port, id: id, key: key == "-" ? nil : key)
        exit(0)
    case "--mqtt-only": options.mqttOnly = true
    default:
        FileHandle.standardError.write(Data("usage: ewelink-bench [--bin DIR] [--out FILE] [--json FILE] [--installed DIR [--startup-only]] [--hub-only] [--instructions-only] [--mqtt-only] [--quick]\n".utf8))
        exit(2)
    }
}

/// A running simulator process.
final class SimulatorProcess {
    let process = Process()
    let ready: JSONValue
    let fleetPath: String

    convenience init(bin: String, devices: Int) throws {
        var list: [JSONValue] = []
        for n in 0..<devices {
            let kind = n % 7 == 2 ? "diy_plug" : (n % 7 == 1 ? "strip" : "plug")
            var d: JSONObject = ["id": .string(String(format: "10be%06x", n + Int.random(in: 0..<0xfff) * 4096)),
                                 "name": .string("Bench \(n)"), "type": .string(kind), "port": 0]
            d["devicekey"] = kind == "diy_plug" ? .null : .string(UUID().uuidString.lowercased())
            list.append(.object(d))
        }
        try self.init(bin: bin, fleet: ["devices": .array(list)], name: "\(devices)")
    }

    /// `ewelink-sim` with `fleet` (devices, and a mock cloud when it has a `cloud` member), once it
    /// printed its ready line; `arguments` are added to its command line.
    init(bin: String, fleet document: JSONObject, name: String, arguments: [String] = []) throws {
        fleetPath = NSTemporaryDirectory() + "ewelink-bench-fleet-\(getpid())-\(name).json"
        try Data(JSONValue.object(document).serializedBytes).write(to: URL(fileURLWithPath: fleetPath))
        process.executableURL = URL(fileURLWithPath: bin + "/ewelink-sim")
        process.arguments = ["--fleet", fleetPath] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = Data()
        while true {
            let byte = pipe.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { throw BenchError("ewelink-sim exited before it was ready") }
            if byte == Data([0x0A]) { break }
            line += byte
        }
        ready = try JSONValue.parse(Array(line))
        // Keep draining its stdout.
        Thread { _ = pipe.fileHandleForReading.readDataToEndOfFile() }.start()
        fleet = document["devices"]?.arrayValue ?? []
    }
    let fleet: [JSONValue]

    var devices: [(id: String, port: Int, key: String?, type: String)] {
        let ports = Dictionary(uniqueKeysWithValues: (ready["devices"]?.arrayValue ?? []).map {
            ($0["id"]!.stringValue!, $0["port"]!.intValue!)
        })
        return fleet.map { d in (d["id"]!.stringValue!, ports[d["id"]!.stringValue!]!, d["devicekey"]?.stringValue,
                                 d["type"]!.stringValue!) }
    }

    func stop() {
        process.terminate()
        // A simulator that does not end on SIGTERM within 2 s (a signal mask inherited from this
        // process) is killed: the benchmark must not hang on it.
        let deadline = ContinuousClock.now + .seconds(2)
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: fleetPath)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A child process of `path` with this process's environment plus `env`, stderr discarded.
func childProcess(_ path: String, _ arguments: [String], env: [String: String]) -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    for (k, v) in env { environment[k] = v }
    p.environment = environment
    p.standardError = FileHandle.nullDevice
    return p
}

func runProcess(_ path: String, _ arguments: [String], env: [String: String]) throws -> (Int32, Double) {
    let p = childProcess(path, arguments, env: env)
    p.standardOutput = FileHandle.nullDevice
    let start = ContinuousClock.now
    try p.run()
    p.waitUntilExit()
    return (p.terminationStatus, Samples.ms(ContinuousClock.now - start))
}

var report: [(String, String, String, String)] = []   // metric, value, target, met
var numbers: JSONObject = [:]

@MainActor func record(_ key: String, _ label: String, _ value: Double, unit: String, target: Double?, lowerIsBetter: Bool = true) {
    numbers[key] = .double((value * 1000).rounded() / 1000)
    let met: String
    if let target { met = (lowerIsBetter ? value <= target : value >= target) ? "yes" : "**no**" } else { met = "" }
    report.append((label, "\(fmt(value, value < 10 ? 3 : 1)) \(unit)", target.map { "≤ \(fmt($0, $0 < 10 ? 2 : 0)) \(unit)" } ?? "–", met))
}

/// The instruction counts (scripts/instructions) of the installed binaries when there are, else of
/// `--bin`'s; the send by `--bin`'s ewelink-bench. Records them and returns their section.
@MainActor func instructionSection(previous: JSONObject?) throws -> String {
    print("instruction counts (callgrind)…")
    let bin = options.installed ?? options.bin
    let bench = options.bin + "/ewelink-bench"
    let counts = try InstructionBenchmark.run(bin: bin, bench: bench)
    for row in InstructionBenchmark.rows {
        guard let value = counts[row.key] else { continue }
        print("instructions: \(row.label): \(InstructionBenchmark.grouped(value))")
        numbers[row.key] = .int(value)
    }
    return InstructionBenchmark.section(counts, previous: previous, bin: bin, bench: bench, commit: gitCommit())
}
if options.instructionsOnly {
    let previous = (try? JSONValue.parse(Array(Data(contentsOf: URL(fileURLWithPath: options.json)))))?.objectValue
    try replaceSection(try instructionSection(previous: previous), heading: InstructionBenchmark.heading)
    var saved = previous ?? [:]
    for (key, value) in numbers { saved[key] = value }
    try Data(JSONValue.object(saved).serializedBytes).write(to: URL(fileURLWithPath: options.json))
    print("wrote the instruction counts section of \(options.out)")
    exit(0)
}

let iterations = options.quick ? 300 : 3000
print("starting ewelink-sim (10 devices)…")
let sim = try SimulatorProcess(bin: options.bin, devices: 10)
defer { sim.stop() }
let devices = sim.devices
let client = ZeroconfClient()
let previous = (try? JSONValue.parse(Array(Data(contentsOf: URL(fileURLWithPath: options.json)))))?.objectValue

// 0. Start-up of the installed binary beside the dynamic release build (scripts/install, issue 14).
var startupSection: String?
if let installed = options.installed {
    print("start-up: installed \(installed) vs \(options.bin)…")
    let plug = devices.first { $0.type == "plug" }!
    let rows = try StartupBenchmark.run(installed: installed, dynamic: options.bin, device: (plug.id, plug.port, plug.key),
                                        runs: options.quick ? 20 : 100)
    var table = """
        \(StartupBenchmark.heading)

        Measured by `scripts/bench` (`ewelink-bench --installed`): the binaries `scripts/install` put in a temporary
        prefix (release, `--static-swift-stdlib`, stripped) beside the dynamic release build of `\(options.bin)`,
        \(options.quick ? 20 : 100) runs of each, interleaved, against a plug of the simulator (encrypted, address in
        the store). Processes started with `posix_spawn` and reaped with `wait4`, output to /dev/null.

        - date: \(Date().formatted(.iso8601)), commit \(gitCommit())

        | metric | value | target | met | previous run |
        |---|---|---|---|---|

        """
    for row in rows {
        print("\(row.label): \(fmt(row.value)) \(row.unit)")
        let value = "\(fmt(row.value, row.value < 10 ? 3 : 1)) \(row.unit)"
        let target = row.target.map { "≤ \(fmt($0, $0 < 10 ? 2 : 0)) \(row.unit)" } ?? "–"
        let met = row.target.map { row.value <= $0 ? "yes" : "**no**" } ?? ""
        let prev = previous?[row.key]?.doubleValue.map { fmt($0, $0 < 10 ? 3 : 1) } ?? StartupBenchmark.issueValues[row.key] ?? "–"
        table += "| \(row.label) | \(value) | \(target) | \(met) | \(prev) |\n"
        numbers[row.key] = .double((row.value * 1000).rounded() / 1000)
    }
    startupSection = table
}
/// Puts `section` in place of the one with the same heading in RESULTS.md (or first).
@MainActor func replaceSection(_ section: String, heading: String) throws {
    let old = (try? String(contentsOfFile: options.out, encoding: .utf8)) ?? "# Benchmark results\n"
    let parts = StartupBenchmark.sections(old)
    var rest = parts.sections
    if let i = rest.firstIndex(where: { $0.hasPrefix(heading) }) { rest[i] = section } else { rest.insert(section, at: 0) }
    try Data(([parts.head] + rest).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: options.out))
}

/// Writes one section into RESULTS.md and its numbers into results.json (the others kept), and ends.
@MainActor func writeOnly(_ section: String, heading: String, previous: JSONObject?, what: String) throws -> Never {
    try replaceSection(section, heading: heading)
    var saved = previous ?? [:]
    for (key, value) in numbers { saved[key] = value }
    try Data(JSONValue.object(saved).serializedBytes).write(to: URL(fileURLWithPath: options.json))
    print("wrote the \(what) section of \(options.out)")
    exit(0)
}

/// A section's table rows (printed as they are written) and its notes; the values recorded for results.json.
@MainActor func tableRows(_ run: HubBenchmark.Run, previous: JSONObject?) -> String {
    var text = ""
    for row in run.rows {
        print("\(row.label): \(fmt(row.value)) \(row.unit)")
        let value = "\(fmt(row.value, row.value < 10 ? 3 : 1)) \(row.unit)"
        let target = row.target.map { "≤ \(fmt($0, $0 < 10 ? 2 : 0)) \(row.unit)" } ?? "–"
        let met = row.target.map { row.value <= $0 ? "yes" : "**no**" } ?? ""
        let prev = previous?[row.key]?.doubleValue.map { fmt($0, $0 < 10 ? 3 : 1) } ?? "–"
        text += "| \(row.label) | \(value) | \(target) | \(met) | \(prev) |\n"
        numbers[row.key] = .double((row.value * 1000).rounded() / 1000)
    }
    return text + "\n" + run.notes.map { "- " + $0 }.joined(separator: "\n") + "\n"
}

/// Runs the MQTT bridge's rows, records them, and returns their section of RESULTS.md.
@MainActor func mqttSection(bin: String, previous: JSONObject?) async throws -> String {
    let run = try await MQTTBenchmark.run(bin: bin, quick: options.quick)
    let text = """
        \(MQTTBenchmark.heading)

        Measured by `scripts/bench --mqtt` (`ewelink-bench`): `ewelink-hub --mqtt` (what `ewelink serve --mqtt` runs) from `\(bin)`, 200 simulated devices in
        `ewelink-sim` (its own process), all in the store with their addresses, no cloud; a mosquitto broker on loopback.

        - date: \(Date().formatted(.iso8601)), commit \(gitCommit())

        | metric | value | target | met | previous run |
        |---|---|---|---|---|

        """
    return text + tableRows(run, previous: previous)
}
if options.mqttOnly {
    sim.stop()
    print("the MQTT bridge…")
    let mqttText = try await mqttSection(bin: options.installed ?? options.bin, previous: previous)
    try writeOnly(mqttText, heading: MQTTBenchmark.heading, previous: previous, what: "MQTT")
}

// 0a. The hub (issue 15): through `ewelink serve` beside the direct path, with the installed tools
// when there are (ewelink serve execs the ewelink-hub next to ewelink).
print("the hub…")
/// Runs the hub rows, records them, and returns their section of RESULTS.md.
@MainActor func hubSection(bin hubBin: String, previous: JSONObject?) async throws -> String {
    let run = try await HubBenchmark.run(bin: hubBin, quick: options.quick)
    let text = """
        \(HubBenchmark.heading)

        Measured by `scripts/bench` (`ewelink-bench`): `ewelink serve` from `\(hubBin)` (\(options.installed == nil ? "release build" : "installed by scripts/install: static runtime, stripped")),
        200 simulated devices in `ewelink-sim` (its own process), all in the store with their addresses, no cloud. Whole
        processes interleaved (through the hub, then `--no-hub`), started with `posix_spawn` and reaped with `wait4`,
        output to /dev/null; `curl` is Debian's.

        - date: \(Date().formatted(.iso8601)), commit \(gitCommit())

        | metric | value | target | met | previous run |
        |---|---|---|---|---|

        """
    return text + tableRows(run, previous: previous)
}
let hubText = try await hubSection(bin: options.installed ?? options.bin, previous: previous)
if options.hubOnly {
    sim.stop()
    try writeOnly(hubText, heading: HubBenchmark.heading, previous: previous, what: "hub")
}
let hubKeys = Set(numbers.keys)

if options.startupOnly {
    guard let section = startupSection else { throw BenchError("--startup-only needs --installed DIR") }
    sim.stop()
    let old = (try? String(contentsOfFile: options.out, encoding: .utf8)) ?? "# Benchmark results\n"
    let parts = StartupBenchmark.sections(old)
    var rest = parts.sections
    if let i = rest.firstIndex(where: { $0.hasPrefix(StartupBenchmark.heading) }) {
        rest[i] = section
    } else {
        rest.insert(section, at: 0)
    }
    try Data(([parts.head] + rest).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: options.out))
    var saved = previous ?? [:]
    for (key, value) in numbers { saved[key] = value }
    try Data(JSONValue.object(saved).serializedBytes).write(to: URL(fileURLWithPath: options.json))
    print("wrote the start-up section of \(options.out)")
    exit(0)
}

// 1. In-process send, one device, alternating on/off.
let plug = devices.first { $0.type == "plug" }!
let target = LANTarget(deviceID: plug.id, host: "127.0.0.1", port: plug.port, devicekey: plug.key)
for n in 0..<100 { _ = try await client.send("switch", ["switch": n % 2 == 0 ? "on" : "off"], to: target) }
var single = Samples()
let singleStart = ContinuousClock.now
for n in 0..<iterations {
    let t = ContinuousClock.now
    _ = try await client.send("switch", ["switch": n % 2 == 0 ? "on" : "off"], to: target)
    single.add(ContinuousClock.now - t)
}
let singleSeconds = Samples.ms(ContinuousClock.now - singleStart) / 1000
print("single device: p50 \(fmt(single.p50)) ms, p99 \(fmt(single.p99)) ms")
record("send_p50_ms", "in-process `send`, 1 device: p50", single.p50, unit: "ms", target: 0.3)
record("send_p90_ms", "in-process `send`, 1 device: p90", single.p90, unit: "ms", target: nil)
record("send_p99_ms", "in-process `send`, 1 device: p99", single.p99, unit: "ms", target: 1.0)
record("send_max_ms", "in-process `send`, 1 device: max", single.max, unit: "ms", target: nil)
record("send_throughput", "in-process `send`, 1 device: throughput", Double(iterations) / singleSeconds, unit: "cmd/s", target: nil)

// 1a. The simulator's own floor, seen by a raw blocking socket client.
let floor = RawClient.measure(port: plug.port, deviceID: plug.id, devicekey: plug.key, count: iterations)
print("raw-socket floor: p50 \(fmt(floor.p50)) ms")
record("floor_p50_ms", "simulator floor (raw blocking socket client): p50", floor.p50, unit: "ms", target: nil)
record("client_overhead_p50_ms", "our client's own share of a command: p50(send) − p50(floor)",
       Swift.max(0, single.p50 - floor.p50), unit: "ms", target: nil)

// 1c. The same switch as an app makes it: `EWeLinkClient.turnOn/turnOff` (store lookup, routing,
// command shape, the LAN leg), the device's address verified in the store.
let clientHome = NSTemporaryDirectory() + "ewelink-bench-client-\(getpid())"
try DeviceStore(directory: clientHome).update { list in
    list = [StoredDevice(id: plug.id, name: "bench-plug", devicekey: plug.key, type: DeviceType(rawValue: plug.type),
                         host: "127.0.0.1", port: plug.port, addressVerified: true)]
}
let appClient = EWeLinkClient(configuration: EWeLinkConfiguration(storeDirectory: clientHome))
let plugReference = DeviceReference(plug.id)
for n in 0..<100 { _ = try await n % 2 == 0 ? appClient.turnOn(plugReference) : appClient.turnOff(plugReference) }
var routed = Samples()
for n in 0..<iterations {
    let t = ContinuousClock.now
    _ = try await n % 2 == 0 ? appClient.turnOn(plugReference) : appClient.turnOff(plugReference)
    routed.add(ContinuousClock.now - t)
}
await appClient.shutdown()
try? FileManager.default.removeItem(atPath: clientHome)
print("EWeLinkClient turnOn/turnOff: p50 \(fmt(routed.p50)) ms, p99 \(fmt(routed.p99)) ms")
record("client_switch_p50_ms", "in-process `EWeLinkClient.turnOn/turnOff` (routed), 1 device: p50", routed.p50, unit: "ms", target: nil)
record("client_switch_p99_ms", "in-process `EWeLinkClient.turnOn/turnOff` (routed), 1 device: p99", routed.p99, unit: "ms", target: nil)
record("client_switch_ratio", "ratio: `EWeLinkClient` switch p50 / raw-socket floor p50", routed.p50 / floor.p50, unit: "×",
       target: nil)

// 1b. Ten devices at once, one task each.
let perDevice = iterations / 10
let concurrentStart = ContinuousClock.now
let concurrent = try await sendConcurrently(devices, client: client, perDevice: perDevice)
let concurrentSeconds = Samples.ms(ContinuousClock.now - concurrentStart) / 1000
print("10 devices: p50 \(fmt(concurrent.p50)) ms, throughput \(fmt(Double(concurrent.count) / concurrentSeconds, 0))/s")
record("send10_p50_ms", "in-process `send`, 10 devices concurrently: p50", concurrent.p50, unit: "ms", target: nil)
record("send10_p99_ms", "in-process `send`, 10 devices concurrently: p99", concurrent.p99, unit: "ms", target: nil)
record("send10_throughput", "in-process `send`, 10 devices concurrently: throughput",
       Double(concurrent.count) / concurrentSeconds, unit: "cmd/s", target: nil)

// 2. One-shot CLI processes with the key in the store and the address known.
let home = NSTemporaryDirectory() + "ewelink-bench-home-\(getpid())"
let store = DeviceStore(directory: home)
try store.update { list in
    list = devices.map { StoredDevice(id: $0.id, name: "bench-\($0.id)", devicekey: $0.key, type: DeviceType(rawValue: $0.type),
                                      host: "127.0.0.1", port: $0.port, addressVerified: true) }
}
let env = ["EWELINK_HOME": home]
let runs = options.quick ? 20 : 100
var oneShot = Samples()
for n in 0..<(runs + 5) {
    let (status, ms) = try runProcess(options.bin + "/ewelink", [n % 2 == 0 ? "on" : "off", plug.id], env: env)
    guard status == 0 else { throw BenchError("ewelink on exited \(status)") }
    if n >= 5 { oneShot.add(ms) }
}
print("one-shot CLI: p50 \(fmt(oneShot.p50, 1)) ms, p95 \(fmt(oneShot.p95, 1)) ms")
record("cli_on_p50_ms", "one-shot `ewelink on ID` process: p50", oneShot.p50, unit: "ms", target: 25)
record("cli_on_p95_ms", "one-shot `ewelink on ID` process: p95", oneShot.p95, unit: "ms", target: nil)

// 2b. The same command on first contact with an address not yet verified (issue 20): the device
// proves itself (one encrypted `info` naming it) before the command, and the address is stored as
// verified. Reset before each run, so every sample pays the proof and that one store write.
var firstContact = Samples()
for n in 0..<(runs / 2 + 2) {
    try store.update(device: plug.id) { $0.addressVerified = false }
    let (status, ms) = try runProcess(options.bin + "/ewelink", [n % 2 == 0 ? "on" : "off", plug.id], env: env)
    guard status == 0 else { throw BenchError("ewelink on (first contact) exited \(status)") }
    if n >= 2 { firstContact.add(ms) }
}
guard try store.load().first(where: { $0.id == plug.id })?.addressVerified == true else {
    throw BenchError("the first contact did not store the address as verified")
}
print("one-shot CLI, first contact: p50 \(fmt(firstContact.p50, 1)) ms")
record("cli_on_first_contact_p50_ms", "one-shot `ewelink on ID`, address not yet verified (proof + command + store write): p50",
       firstContact.p50, unit: "ms", target: nil)
record("cli_first_contact_extra_p50_ms", "what the first contact's proof adds: p50(first contact) − p50(verified)",
       Swift.max(0, firstContact.p50 - oneShot.p50), unit: "ms", target: nil)

// 2a. The same command by `curl` and by a third-party Python client, one-shot and in process.
print("curl and a third-party Python client…")
let python = ProcessInfo.processInfo.environment["EWELINK_BENCH_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
for row in try ThirdPartyBenchmark.run(device: (plug.id, plug.port, plug.key), python: python, runs: runs,
                                       loops: options.quick ? 300 : 2000) {
    print("\(row.label): \(fmt(row.value)) \(row.unit)")
    record(row.key, row.label, row.value, unit: row.unit, target: row.target)
}
if let curlP50 = numbers["curl_p50_ms"]?.doubleValue {
    let ours = numbers["startup_on_installed_p50_ms"]?.doubleValue ?? oneShot.p50
    let which = numbers["startup_on_installed_p50_ms"] != nil ? "installed" : "release"
    record("ratio_on_vs_curl", "ratio: our `ewelink on` (\(which)) p50 / `curl` p50", ours / curlP50, unit: "×", target: nil)
    if let py = numbers["py_oneshot_p50_ms"]?.doubleValue {
        record("ratio_py_vs_on", "ratio: pysonofflanr3 one-shot p50 / our `ewelink on` (\(which)) p50", py / ours, unit: "×", target: nil)
    }
    if let pySend = numbers["py_send_p50_ms"]?.doubleValue {
        record("ratio_py_vs_send", "ratio: pysonofflanr3 in process p50 / our in-process `send` p50", pySend / single.p50, unit: "×", target: nil)
        record("ratio_send_vs_floor", "ratio: our in-process `send` p50 / raw-socket floor p50", single.p50 / floor.p50, unit: "×", target: nil)
    }
}

// 3. discover --json of the fleet, Avahi cache warm.
var discover = Samples()
for n in 0..<(runs / 2 + 3) {
    let (status, ms) = try runProcess(options.bin + "/ewelink", ["discover", "--json"], env: env)
    guard status == 0 else { throw BenchError("ewelink discover exited \(status)") }
    if n >= 3 { discover.add(ms) }
}
print("discover: p50 \(fmt(discover.p50, 1)) ms")
record("discover_p50_ms", "`ewelink discover --json`, 10 devices, cache warm: p50", discover.p50, unit: "ms", target: 300)
record("discover_p95_ms", "`ewelink discover --json`, 10 devices, cache warm: p95", discover.p95, unit: "ms", target: nil)
try? FileManager.default.removeItem(atPath: home)

// 3a. Devices by address: scans, and the store left alone by a loop of commands.
print("scan and store wear…")
for row in try await AddressBenchmark.run(bin: options.bin, quick: options.quick) {
    print("\(row.label): \(fmt(row.value)) \(row.unit)")
    record(row.key, row.label, row.value, unit: row.unit, target: row.target)
}

// 4–5. Cloud round trips and the router's fallbacks (in-process simulator + mock cloud).
print("cloud and fallback…")
for row in try await FallbackBenchmark.run(quick: options.quick) {
    print("\(row.label): \(fmt(row.value)) \(row.unit)")
    record(row.key, row.label, row.value, unit: row.unit, target: row.target)
}

// 3b. Discovery at scale, and a long-running watch of 200 devices.
print("discovery at scale…")
for row in try await ScaleBenchmark.run(bin: options.bin, quick: options.quick) {
    print("\(row.label): \(fmt(row.value)) \(row.unit)")
    record(row.key, row.label, row.value, unit: row.unit, target: row.target)
}

let instructionText = try instructionSection(previous: previous)

// Report, next to the previous run's numbers.
let commit = gitCommit()
let cpu = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").split(separator: "\n")
    .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":").last ?? "").trimmingCharacters(in: .whitespaces) } ?? "?"
var md = """
    # Benchmark results

    Measured by `scripts/bench` (`ewelink-bench`, release build) on 127.0.0.1. LAN rows: against `ewelink-sim`
    running as its own process (10 simulated devices, encrypted except the DIY ones). Cloud and fallback rows:
    against an in-process simulator and its mock cloud (real HTTP and WebSocket on loopback; REST samples spaced
    600 ms apart so none waits on the 500 ms rate limit). Scale rows: fleets of 10, 50 and 200 devices announced
    through the avahi-daemon on `lo`; `ewelink watch` as its own process while all 200 devices change state.
    Exact percentiles over all samples.

    - date: \(Date().formatted(.iso8601))
    - commit: \(commit)
    - machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu), \(ProcessInfo.processInfo.physicalMemory / 1_073_741_824) GiB
    - samples: \(iterations) in-process sends (1 device), \(concurrent.count) (10 devices), \(oneShot.count) CLI runs, \(discover.count) discovers

    | metric | value | target | met | previous run |
    |---|---|---|---|---|

    """
let mainKeys = numbers.keys.filter { !$0.hasPrefix("startup_") && !$0.hasPrefix("size_") && !$0.hasPrefix("instr_") && !hubKeys.contains($0) }
for (n, row) in report.enumerated() {
    let key = mainKeys[n]
    let prev = previous?[key]?.doubleValue.map { fmt($0, $0 < 10 ? 3 : 1) } ?? "–"
    md += "| \(row.0) | \(row.1) | \(row.2) | \(row.3) | \(prev) |\n"
}
md += """

    Reference points from the protocol notes: today's Python LAN clients take 0.45–0.9 ms per command in process and
    145–220 ms per one-shot process.
    """
// The start-up section is this run's when measured, else the last one; the other sections (the
// start-up analysis, fuzzing) are written by hand: keep them.
let oldSections = ((try? String(contentsOfFile: options.out, encoding: .utf8)).map { StartupBenchmark.sections($0).sections }) ?? []
var tail = oldSections
if let startupSection {
    if let i = tail.firstIndex(where: { $0.hasPrefix(StartupBenchmark.heading) }) { tail[i] = startupSection } else { tail.insert(startupSection, at: 0) }
}
if let i = tail.firstIndex(where: { $0.hasPrefix(HubBenchmark.heading) }) { tail[i] = hubText } else { tail.insert(hubText, at: 0) }
if let i = tail.firstIndex(where: { $0.hasPrefix(InstructionBenchmark.heading) }) {
    tail[i] = instructionText
} else {
    tail.insert(instructionText, at: 0)
}
md = ([md + "\n"] + tail).joined(separator: "\n")
try Data(md.utf8).write(to: URL(fileURLWithPath: options.out))
var saved = previous ?? [:]
for (key, value) in numbers { saved[key] = value }
saved["date"] = .string(Date().formatted(.iso8601))
saved["commit"] = .string(commit)
try Data(JSONValue.object(saved).serializedBytes).write(to: URL(fileURLWithPath: options.json))
print("wrote \(options.out)")


/// Each device gets its own task sending alternating commands; returns every latency.
func sendConcurrently(_ devices: [(id: String, port: Int, key: String?, type: String)], client: ZeroconfClient,
                      perDevice: Int) async throws -> Samples {
    try await withThrowingTaskGroup(of: Samples.self) { group in
        for d in devices {
            let t = LANTarget(deviceID: d.id, host: "127.0.0.1", port: d.port, devicekey: d.key)
            let strip = d.type == "strip"
            group.addTask {
                var s = Samples()
                for n in 0..<perDevice {
                    let value: JSONValue = n % 2 == 0 ? "on" : "off"
                    let start = ContinuousClock.now
                    if strip {
                        _ = try await client.send("switches", ["switches": [["switch": value, "outlet": 0]]], to: t)
                    } else {
                        _ = try await client.send("switch", ["switch": value], to: t)
                    }
                    s.add(ContinuousClock.now - start)
                }
                return s
            }
        }
        var all = Samples()
        for try await s in group { for v in s.values { all.add(v) } }
        return all
    }
}

/// The short hash of the checkout's HEAD, or "?".
func gitCommit() -> String {
    guard FileManager.default.fileExists(atPath: ".git") else { return "?" }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
    p.arguments = ["rev-parse", "--short", "HEAD"]
    let pipe = Pipe()
    p.standardOutput = pipe
    try? p.run()
    p.waitUntilExit()
    return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
