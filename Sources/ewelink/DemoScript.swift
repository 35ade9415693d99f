import EWeLink
import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation

/// The demo's steps, each checked against the simulated device itself (not against what the
/// client believes).
struct DemoScript: Sendable {
    let sim: Simulator
    let fleet: Fleet
    let account: CloudFleet.Account
    let appID: String
    let appSecret: String
    let store: DeviceStore
    let home: String
    let log: DemoLog

    func run() async -> Bool {
        guard await log.step("start the simulated fleet and the mock cloud", {
            try await sim.start()
            return "\(sim.devices.count) devices on 127.0.0.1, announced through avahi on lo; mock cloud at \(sim.cloud!.baseURL)"
        }) else { return false }
        let cloud = CloudClient(credentials: CloudCredentials(appID: appID, appSecret: appSecret),
                                endpoints: CloudEndpoints(override: sim.cloud!.baseURL),
                                sessionStore: CloudSessionStore(directory: home), limiter: CloudRateLimiter())
        let wrongRegion: CloudRegion = account.region == .us ? .eu : .us
        guard await log.step("ewelink login: sign in to the (mock) cloud", {
            let session = try await cloud.login(email: account.email, phoneNumber: account.email == nil ? account.phoneNumber : nil,
                                                password: account.password, countryCode: account.countryCode, region: wrongRegion)
            return "as \(account.email ?? account.phoneNumber ?? "?"): asked \(wrongRegion.rawValue), redirected to \(session.region.rawValue); "
                + "tokens kept in \(home)/cloud.json (0600), password not stored"
        }) else { return false }
        guard await log.step("ewelink sync: pull every device's key once", {
            let report = try await KeySync.sync(client: cloud, store: store)
            let keys = try store.load().filter { $0.devicekey != nil }.count
            return "\(report.total) devices, \(keys) with a devicekey, written to \(store.path) (0600); no cloud needed for the LAN from now on"
        }) else { return false }

        var lanOptions = LANController.Options()
        lanOptions.interfaceIndex = try? AvahiConnection.interfaceIndex(named: "lo")
        let lan = LANController(store: store, options: lanOptions)
        guard await log.step("ewelink discover: list the LAN through avahi", {
            let ids = Set(sim.devices.map(\.id))
            // Other eWeLink services on the loopback (another simulator) are not the demo's.
            let (all, _) = try await lan.discover(timeout: .seconds(5))
            let found = all.filter { ids.contains($0.id) }
            let decrypted = found.filter { $0.state != nil }.count
            guard found.count == sim.devices.count else {
                throw DemoFailure("found \(found.count) of \(sim.devices.count) devices")
            }
            return "\(found.count) devices, \(decrypted) states decrypted" + (all.count > found.count ? " (and \(all.count - found.count) others)" : "") + ": "
                + found.map { "\($0.id) \(StateSummary.describe($0.state))" }.joined(separator: ", ")
        }) else { return false }

        guard let target = sim.devices.first(where: { $0.config.devicekey != nil && $0.config.otaAvailable != nil })
            ?? sim.devices.first(where: { $0.config.devicekey != nil }) else { return false }
        let name = target.config.name
        let socket = CloudSocket.shared(for: cloud)
        var routerOptions = Router.Options()
        routerOptions.mergeWindow = .zero
        let router = Router(lan: lan, cloud: cloud, socket: socket, options: routerOptions)
        defer { Task { await socket.stop() } }

        var ok = await log.step("ewelink on \(name.lowercased()): over the LAN", {
            let r = try await router.power(.on, name)
            try check(r, route: .lan, target, "switch", "on")
            return "route \(r.route.rawValue), \(ms(r)) ms, device now \(StateSummary.describe(target.snapshot.params))"
        })
        ok = await log.step("open the cloud WebSocket session", {
            socket.start()
            try await socket.waitUntilConnected(timeout: .seconds(10))
            return "dispatch, then userOnline accepted; heartbeats every \(Int(Double(fleet.cloud!.hbInterval) * 0.8)) s"
        }) && ok
        ok = await log.step("its LAN port refuses: ewelink off \(name.lowercased()) falls back to the cloud", {
            _ = await target.setFaults { $0.lan = .refuse }
            let r = try await router.power(.off, name)
            try check(r, route: .websocket, target, "switch", "off")
            return "route \(r.route.rawValue), \(ms(r)) ms (the refused connection cost next to nothing)"
        }) && ok
        ok = await log.step("its LAN answers after 2 s: the command is hedged through the cloud", {
            _ = await target.setFaults { $0.lan = .ok; $0.delayMs = 2000 }
            let r = try await router.power(.on, name)
            try check(r, route: .websocket, target, "switch", "on")
            guard r.elapsedMilliseconds < 2000 else { throw DemoFailure("took \(ms(r)) ms") }
            return "route \(r.route.rawValue), \(ms(r)) ms instead of 2000; the late LAN reply repeats the same absolute command"
        }) && ok
        _ = await target.setFaults { $0.lan = .ok; $0.delayMs = 0 }
        if target.config.otaAvailable != nil {
            ok = await log.step("ewelink ota upgrade \(name.lowercased()): through the cloud, followed to the new version", {
                guard let stored = try store.load().first(where: { $0.id == target.id }) else { throw DemoFailure("not in the store") }
                let outcome = try await CloudOTAUpdater(cloud: cloud, socket: socket, store: store)
                    .upgrade(stored, timeout: .seconds(60))
                guard target.snapshot.fwVersion == outcome.to else { throw DemoFailure("the device runs \(target.snapshot.fwVersion)") }
                return "\(outcome.from) → \(outcome.to ?? "?"): acknowledged, rebooted (offline, online), new version reported"
            }) && ok
        }
        ok = await log.step("ewelink on \(name.lowercased()) after its reboot: over the LAN again", {
            // The reboot re-announced the device; the LAN is back in service.
            let r = try await router.power(.on, name, via: .lan)
            try check(r, route: .lan, target, "switch", "on")
            return "route \(r.route.rawValue), \(ms(r)) ms"
        }) && ok
        return ok
    }

    private func check(_ r: EWeLink.CommandResult, route: Route, _ device: SimulatedDevice, _ key: String, _ value: String) throws {
        guard r.route == route else { throw DemoFailure("went by \(r.route.rawValue), expected \(route.rawValue)") }
        guard device.snapshot.params[key]?.stringValue == value else {
            throw DemoFailure("the device reports \(key)=\(device.snapshot.params[key].map { "\($0)" } ?? "nothing"), expected \(value)")
        }
    }

    private func ms(_ r: EWeLink.CommandResult) -> String { String(format: "%.1f", r.elapsedMilliseconds) }
}
