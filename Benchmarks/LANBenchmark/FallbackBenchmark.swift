import EWeLink
import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation

/// One measured row: key, label, value, unit, target.
struct Row {
    var key: String
    var label: String
    var value: Double
    var unit: String
    var target: Double?
}

/// Cloud and fallback timings against an in-process simulator with its mock cloud (real HTTP and
/// WebSocket on loopback): direct cloud commands, and the router's fallback when the LAN is absent,
/// refused, silent (learnt timeout), or slow (hedged).
enum FallbackBenchmark {
    static func run(quick: Bool) async throws -> [Row] {
        let owner = UUID().uuidString.lowercased()
        let secret = "bench-" + UUID().uuidString
        var devices: [JSONValue] = []
        for n in 0..<4 {
            devices.append(["id": .string(String(format: "10cb%06x", n + Int.random(in: 0..<0xfff) * 16)), "type": "plug",
                            "port": 0, "devicekey": .string(UUID().uuidString.lowercased()), "name": .string("fallback \(n)"),
                            "apikey": .string(owner)])
        }
        let doc: JSONValue = ["devices": .array(devices),
                              "cloud": ["appId": "bench-app", "appSecret": .string(secret), "accounts": [[
                                  "email": "bench@example.com", "password": "pw", "region": "eu", "apikey": .string(owner)]]]]
        let sim = try await Simulator.startedWithCloud(try Fleet.parse(doc.serializedBytes, file: "bench"))
        defer { Task { await sim.stop() } }
        let cloud = CloudClient(credentials: CloudCredentials(appID: "bench-app", appSecret: secret),
                                endpoints: CloudEndpoints(override: sim.cloud!.baseURL), limiter: CloudRateLimiter())
        _ = try await cloud.login(email: "bench@example.com", password: "pw", countryCode: "+49", region: .eu)
        let home = NSTemporaryDirectory() + "ewelink-bench-fallback-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: home) }
        let store = DeviceStore(directory: home)
        _ = try await KeySync.sync(client: cloud, store: store)
        let socket = CloudSocket(client: cloud)
        socket.start()
        defer { Task { await socket.stop() } }
        try await socket.waitUntilConnected()
        var lanOptions = LANController.Options()
        lanOptions.resolveTimeout = .milliseconds(200)
        let lan = LANController(store: store, options: lanOptions)
        var routerOptions = Router.Options()
        routerOptions.mergeWindow = .zero
        let restRouter = Router(lan: lan, cloud: cloud, options: routerOptions)
        let wsRouter = Router(lan: lan, cloud: cloud, socket: socket, options: routerOptions)
        var noHedge = routerOptions
        noHedge.hedging = false
        let silentRouter = Router(lan: lan, cloud: cloud, socket: socket, options: noHedge)
        let (absent, refused, silent, slow) = (sim.devices[0], sim.devices[1], sim.devices[2], sim.devices[3])
        func place(_ d: SimulatedDevice, known: Bool) throws {
            try store.update(device: d.id) { s in
                s.host = known ? "127.0.0.1" : nil
                s.port = known ? d.snapshot.port : nil
                s.addressVerified = known
                s.lanHealth = LANHealth()
            }
        }
        try place(absent, known: false)
        for d in [refused, silent, slow] { try place(d, known: true) }
        // The LAN replies these devices gave before they went wrong: what the timeout is learnt from.
        for d in [silent, slow] { for n in 0..<8 { _ = try await wsRouter.power(n % 2 == 0 ? .on : .off, d.id) } }
        _ = await refused.setFaults { $0.lan = .refuse }
        _ = await silent.setFaults { $0.lan = .blackhole }
        _ = await slow.setFaults { $0.delayMs = 2000 }

        let wsCount = quick ? 50 : 300
        let restCount = quick ? 5 : 15
        let slowCount = quick ? 3 : 8
        var rows: [Row] = []
        func measure(_ count: Int, spacing: Duration = .zero, _ body: (Int) async throws -> Route?) async throws -> Samples {
            var s = Samples()
            for n in 0..<count {
                let start = ContinuousClock.now
                _ = try await body(n)
                s.add(ContinuousClock.now - start)
                if spacing > .zero { try await Task.sleep(for: spacing) }
            }
            return s
        }
        func expectRoute(_ r: EWeLink.CommandResult, _ route: Route) throws -> Route {
            guard r.route == route else { throw BenchError("expected \(route), went \(r.route)") }
            return r.route
        }
        let on: (Int) -> JSONObject = { ["switch": $0 % 2 == 0 ? "on" : "off"] }
        let apikey = owner

        // WebSocket: a direct update, then the router's fallbacks that end on the socket.
        let wsDirect = try await measure(wsCount) { n in
            let reply = try await socket.update(absent.id, apikey: apikey, params: on(n))
            guard reply.error == 0 else { throw BenchError("ws error \(reply.error)") }
            return .websocket
        }
        // The first command to a device without an address asks the avahi-daemon's cache; the
        // next ones within a minute do not.
        let wsAbsentFirst = try await measure(quick ? 5 : 20) { n in
            try store.update(device: absent.id) { $0.lanHealth.lastCacheMiss = nil }
            return try expectRoute(try await wsRouter.send(on(n), to: absent.id), .websocket)
        }
        let wsAbsent = try await measure(wsCount) { n in try expectRoute(try await wsRouter.send(on(n), to: absent.id), .websocket) }
        // Each refusal counts against the LAN; keep it below the three that would mark it down.
        let wsRefused = try await measure(wsCount) { n in
            try store.update(device: refused.id) { $0.lanHealth.failures = 0 }
            return try expectRoute(try await wsRouter.send(on(n), to: refused.id), .websocket)
        }
        rows.append(Row(key: "ws_direct_p50_ms", label: "cloud WebSocket `update` round trip (mock cloud): p50", value: wsDirect.p50, unit: "ms", target: nil))
        rows.append(Row(key: "ws_direct_p99_ms", label: "cloud WebSocket `update` round trip: p99", value: wsDirect.p99, unit: "ms", target: nil))
        rows.append(Row(key: "fb_absent_ws_over_ms", label: "fallback, device absent from mDNS → WebSocket: p50 added over direct",
                        value: Swift.max(0, wsAbsent.p50 - wsDirect.p50), unit: "ms", target: 5))
        rows.append(Row(key: "fb_absent_first_ws_over_ms", label: "fallback, device absent from mDNS → WebSocket, first command in a minute (avahi cache asked): p50 added",
                        value: Swift.max(0, wsAbsentFirst.p50 - wsDirect.p50), unit: "ms", target: nil))
        rows.append(Row(key: "fb_refused_ws_over_ms", label: "fallback, LAN port refused → WebSocket: p50 added over direct",
                        value: Swift.max(0, wsRefused.p50 - wsDirect.p50), unit: "ms", target: 20))

        // REST (signed): spaced beyond the 500 ms per-interface limit so no sample waits on it.
        let spacing = Duration.milliseconds(600)
        let restDirect = try await measure(restCount, spacing: spacing) { n in
            try await cloud.setStatus(of: absent.id, params: on(n))
            return .rest
        }
        let restAbsent = try await measure(restCount, spacing: spacing) { n in try expectRoute(try await restRouter.send(on(n), to: absent.id), .rest) }
        let restRefused = try await measure(restCount, spacing: spacing) { n in
            try store.update(device: refused.id) { $0.lanHealth.failures = 0 }
            return try expectRoute(try await restRouter.send(on(n), to: refused.id), .rest)
        }
        rows.append(Row(key: "rest_direct_p50_ms", label: "cloud REST `POST /v2/device/thing/status`, signed (mock cloud): p50", value: restDirect.p50, unit: "ms", target: nil))
        rows.append(Row(key: "fb_absent_rest_over_ms", label: "fallback, device absent from mDNS → REST: p50 added over direct",
                        value: Swift.max(0, restAbsent.p50 - restDirect.p50), unit: "ms", target: 5))
        rows.append(Row(key: "fb_refused_rest_over_ms", label: "fallback, LAN port refused → REST: p50 added over direct",
                        value: Swift.max(0, restRefused.p50 - restDirect.p50), unit: "ms", target: 20))

        // A silent LAN (learnt timeout, no hedging) and a LAN that answers after 2 s (hedged).
        var silentTimeout = Duration.zero
        let silentSamples = try await measure(slowCount) { n in
            try store.update(device: silent.id) { $0.lanHealth.failures = 0 }
            silentTimeout = try await silentRouter.reachability(of: silent.id).lanTimeout
            return try expectRoute(try await silentRouter.send(on(n), to: silent.id), .websocket)
        }
        let hedged = try await measure(slowCount) { n in
            try store.update(device: slow.id) { $0.lanHealth.failures = 0 }
            let r = try await wsRouter.send(on(n), to: slow.id)
            return try expectRoute(r, .websocket)
        }
        rows.append(Row(key: "fb_silent_ws_p50_ms", label: "fallback, LAN silent → WebSocket after the learnt timeout (\(Int(silentTimeout.inMilliseconds)) ms, ceiling 3000): p50",
                        value: silentSamples.p50, unit: "ms", target: nil))
        rows.append(Row(key: "hedged_p50_ms", label: "hedged command, LAN answering after 2 s: p50 (cloud alone: \(fmt(wsDirect.p50)) ms)",
                        value: hedged.p50, unit: "ms", target: nil))
        rows.append(Row(key: "hedged_max_ms", label: "hedged command, LAN answering after 2 s: max", value: hedged.max, unit: "ms", target: 2000))
        guard sim.cloud!.stats.violations == 0 else { throw BenchError("the benchmark broke the mock cloud's rate limits") }
        return rows
    }
}
