import EWeLink
import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Synchronization
import Testing
import TestSupport

/// A LAN fault and whether the cloud is there to take over.
struct FaultCase: Sendable, CustomTestStringConvertible {
    enum LAN: String, Sendable, CaseIterable { case refuse, blackhole, reset, garbage, wrongKey, rebootMidCommand }
    enum Cloud: String, Sendable, CaseIterable { case none, rest, websocket }
    var lan: LAN
    var cloud: Cloud
    var testDescription: String { "\(lan.rawValue) × \(cloud.rawValue)" }

    static let all: [FaultCase] = LAN.allCases.flatMap { l in Cloud.allCases.map { FaultCase(lan: l, cloud: $0) } }
}

@Suite("Fault matrix: every LAN fault × each route")
struct FaultMatrixTests {
    @Test("The command succeeds by another route, or fails clearly; never reported done without an acknowledgement",
          arguments: FaultCase.all)
    func matrix(_ c: FaultCase) async throws {
        let (sim, client, store) = try await RouterTests.setUp([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        var socket: CloudSocket? = nil
        if c.cloud == .websocket {
            socket = CloudSocket(client: client)
            socket!.start()
            try await socket!.waitUntilConnected()
        }
        defer { if let socket { Task { await socket.stop() } } }
        var lanOptions = LANController.Options()
        lanOptions.resolveTimeout = .milliseconds(300)
        var options = Router.Options()
        options.lanTimeoutCeiling = .milliseconds(600)
        let router = Router(lan: LANController(store: store, options: lanOptions), cloud: c.cloud == .none ? nil : client,
                            socket: socket, options: options)
        _ = try await router.power(.off, d.id)
        switch c.lan {
        case .refuse: _ = await d.setFaults { $0.lan = .refuse }
        case .blackhole: _ = await d.setFaults { $0.lan = .blackhole }
        case .reset: _ = await d.setFaults { $0.lan = .reset }
        case .garbage: _ = await d.setFaults { $0.lan = .garbage }
        case .wrongKey: try store.update { list in list[0].devicekey = "00000000-0000-0000-0000-000000000000" }
        case .rebootMidCommand: Task { await d.reboot(downtime: .milliseconds(1500)) }
        }
        if c.lan == .rebootMidCommand { try await eventually("rebooting") { d.snapshot.rebooting } }
        let seqBefore = d.snapshot.seq
        do {
            let r = try await router.power(.on, d.id)
            // Reported done: some route must have been acknowledged, and the device must be on.
            #expect(r.state != nil)
            #expect(c.cloud != .none, "succeeded over a faulty LAN without a cloud: \(r.route)")
            #expect(r.route == (c.cloud == .websocket ? .websocket : .rest) || r.route == .rest)
            #expect(d.snapshot.params["switch"] == "on")
        } catch {
            switch (c.lan, c.cloud) {
            case (.rebootMidCommand, _):
                // Rebooting: neither the LAN nor the cloud (device offline) can take it.
                #expect(!d.snapshot.params.isEmpty)
            case (_, .none):
                guard case .lan(let e) = error else { Issue.record("\(error)"); return }
                switch c.lan {
                case .wrongKey: #expect(e == .keyRejected(deviceID: d.id), "\(e)")
                case .garbage: if case .invalidReply = e {} else { Issue.record("\(e)") }
                default: #expect(e.isUnreachable, "\(e)")
                }
                #expect(d.snapshot.params["switch"] == "off" || c.lan == .garbage, "a failed command changed the device")
            default:
                Issue.record("\(c.testDescription) failed although the cloud was there: \(error)")
            }
            #expect(!error.description.isEmpty)
            if c.lan != .garbage && c.lan != .rebootMidCommand { #expect(d.snapshot.seq == seqBefore) }
        }
    }

    @Test("Cloud faults: a socket dropped under a command, an expired token, a revoked session, a rate limit hit")
    func cloudFaults() async throws {
        let (sim, client, store) = try await RouterTests.setUp([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let cloud = sim.cloud!
        let socket = try await CloudSocket.connected(client)
        defer { Task { await socket.stop() } }
        let router = Router(lan: LANController(store: store), cloud: client, socket: socket)
        _ = await d.setFaults { $0.lan = .refuse }
        // The socket drops as the command goes: REST carries it (or the new socket), never lost.
        cloud.dropSockets()
        var r = try await router.power(.on, d.id)
        #expect([Route.websocket, .rest].contains(r.route) && d.snapshot.params["switch"] == "on")
        // An expired access token is refreshed on the way.
        try await socket.waitUntilConnected()
        await socket.stop()
        cloud.expireTokens()
        r = try await router.power(.off, d.id)
        #expect(r.route == .rest && d.snapshot.params["switch"] == "off")
        // A client told to fail fast reports the rate limit instead of waiting (and nothing is sent).
        // (Its limiter is new: give the cloud the spacing after the calls above.)
        try await Task.sleep(for: .milliseconds(600))
        let fast = Router(lan: LANController(store: store),
                          cloud: CloudClient(credentials: client.credentials, endpoints: client.endpoints,
                                             session: client.session, limiter: CloudRateLimiter(), failFastOnRateLimit: true))
        r = try await fast.power(.on, d.id)
        #expect(r.route == .rest)
        do {
            _ = try await fast.power(.off, d.id)
            Issue.record("a second call within 500 ms went out")
        } catch {
            guard case .cloud(.rateLimited, _) = error else { Issue.record("\(error)"); return }
        }
        #expect(d.snapshot.params["switch"] == "on")
        #expect(cloud.stats.violations == 0)
        // A revoked session is a clear error naming the fix.
        try await Task.sleep(for: .milliseconds(600))
        cloud.revokeSessions()
        do {
            _ = try await Router(lan: LANController(store: store), cloud: client).power(.off, d.id)
            Issue.record("succeeded with a revoked session")
        } catch {
            guard case .cloud(let e, _) = error else { Issue.record("\(error)"); return }
            #expect(e == .sessionExpired && e.description.contains("log in again"), "\(e)")
        }
        #expect(d.snapshot.params["switch"] == "on")
    }
}

@Suite("Soak and concurrency")
struct SoakTests {
    static func openFileDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    static func residentMB() -> Double {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let kb = text.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? 0
        return Double(kb) / 1024
    }

    @Test("10,000 commands over 10 devices with seeded random faults: every one accounted for, nothing leaked, the right final states")
    func soak() async throws {
        let kinds = Array(repeating: (type: "plug", encrypted: true), count: 10)
        let (sim, client, store) = try await RouterTests.setUp(kinds)
        defer { Task { await sim.stop() } }
        let socket = try await CloudSocket.connected(client)
        defer { Task { await socket.stop() } }
        var options = Router.Options()
        options.lanTimeoutCeiling = .milliseconds(400)
        options.probeInterval = .milliseconds(200)
        let router = Router(lan: LANController(store: store), cloud: client, socket: socket, options: options)
        let perDevice = 1_000
        // Warm up, then take the baseline.
        for d in sim.devices { _ = try await router.power(.off, d.id) }
        let fdsBefore = Self.openFileDescriptors()
        let rssBefore = Self.residentMB()
        let faults: [LANFault] = [.ok, .ok, .ok, .ok, .ok, .ok, .refuse, .refuse, .reset, .reset, .garbage, .blackhole]
        let tallies = try await withThrowingTaskGroup(of: (ok: Int, failed: Int, last: String?, id: String).self) { group in
            for (n, d) in sim.devices.enumerated() {
                group.addTask {
                    var rng = SeededGenerator(state: 1000 + UInt64(n))
                    var ok = 0, failed = 0
                    var lastAcknowledged: String? = nil
                    for i in 0..<perDevice {
                        if i % 50 == 0 {
                            let fault = faults.randomElement(using: &rng)!
                            _ = await d.setFaults { $0.lan = fault }
                        }
                        let value = Bool.random(using: &rng) ? "on" : "off"
                        do {
                            let r = try await router.send(["switch": .string(value)], to: d.id)
                            #expect(r.state != nil)
                            ok += 1
                            lastAcknowledged = value
                        } catch let error as ControlError {
                            #expect(!error.description.isEmpty)
                            failed += 1
                        }
                    }
                    _ = await d.setFaults { $0.lan = .ok }
                    return (ok, failed, lastAcknowledged, d.id)
                }
            }
            var all: [(ok: Int, failed: Int, last: String?, id: String)] = []
            for try await t in group { all.append(t) }
            return all
        }
        #expect(tallies.reduce(0) { $0 + $1.ok + $1.failed } == 10 * perDevice, "every command accounted for")
        #expect(tallies.reduce(0) { $0 + $1.ok } > 9 * perDevice, "the cloud carried what the LAN could not")
        // Late LAN copies of hedged commands land in order: each device ends on its last acknowledged command.
        try await eventually(timeout: .seconds(15), "LAN copies settled") { router.lanCommandsInFlight == 0 }
        for t in tallies {
            let final = sim.device(t.id)!.snapshot.params["switch"]?.stringValue
            #expect(final == t.last, "\(t.id)")
        }
        try await Task.sleep(for: .milliseconds(500))
        let fdsAfter = Self.openFileDescriptors()
        #expect(fdsAfter <= fdsBefore + 4, "file descriptors \(fdsBefore) → \(fdsAfter)")
        let rssAfter = Self.residentMB()
        #expect(rssAfter - rssBefore < 64, "RSS \(rssBefore) → \(rssAfter) MB")
        // The store is whole: every device with its key.
        let stored = try store.load()
        #expect(stored.count == 10 && stored.allSatisfy { $0.devicekey != nil })
        #expect(sim.cloud!.stats.violations == 0)
    }

    @Test("50 concurrent commands to one device are serialised: the device never sees two connections, all complete")
    func concurrency() async throws {
        let (sim, client, store) = try await RouterTests.setUp([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let router = Router(lan: LANController(store: store), cloud: client)
        let before = d.snapshot.seq
        let results = try await withThrowingTaskGroup(of: EWeLink.CommandResult.self) { group in
            for n in 0..<50 { group.addTask { try await router.send(["switch": n % 2 == 0 ? "on" : "off"], to: d.id) } }
            var all: [EWeLink.CommandResult] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 50 && results.allSatisfy { $0.route == .lan && $0.state != nil })
        #expect(d.snapshot.seq == before + 50)
        #expect(sim.busyResets(d.id) == 0, "the device had to reset \(sim.busyResets(d.id)) concurrent connections")
    }
}
