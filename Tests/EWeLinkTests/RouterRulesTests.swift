import EWeLink
import EWeLinkCloud
import EWeLinkHubClient
import EWeLinkLAN
import Foundation
import Testing
import TestSupport

/// The routing rules through the router's two seams, with fakes: no sockets, no simulator, each
/// test in milliseconds. `RouterDecisionTests` and `FaultMatrixTests` check the same end to end.
@Suite("Router rules, through fake LAN and cloud legs", .serialized)
struct RouterRulesTests {
    static let id = "1000fake01"

    static func router(_ lan: FakeLAN, _ cloud: FakeCloud?, hedging: Bool = true) -> Router {
        var options = Router.Options()
        options.hedging = hedging
        return Router(lanLeg: lan, cloudLeg: cloud, options: options)
    }

    @Test("Local first: a device reachable on the LAN is served there, the cloud is not asked")
    func localFirst() async throws {
        let lan = FakeLAN([.fake(Self.id, name: "Kitchen")]), cloud = FakeCloud()
        let r = try await Self.router(lan, cloud).power(.on, "Kitchen")
        #expect(r.route == .lan && r.state?["switch"] == "on")
        #expect(lan.log == ["send \(Self.id)"] && cloud.log.isEmpty)
    }

    @Test("A refused LAN falls back to the WebSocket at once")
    func refusedToWebSocket() async throws {
        // Nothing learnt yet: the LAN wait is the whole 3 s ceiling, which a refusal does not wait out.
        let lan = FakeLAN([.fake(Self.id, replyMs: nil)]), cloud = FakeCloud()
        lan.set(Self.id, .refuse)
        let r = try await Self.router(lan, cloud, hedging: false).power(.off, Self.id)
        #expect(r.route == .websocket && cloud.log == ["ws update \(Self.id)"])
        #expect(r.elapsed < .milliseconds(1500), "\(r.elapsed)")
        try await eventually(timeout: .seconds(2), "the address is looked up again in the background") {
            lan.log.contains("refresh \(Self.id)")
        }
    }

    @Test("Without a WebSocket session, or when it fails under the command, REST carries it")
    func webSocketThenREST() async throws {
        let lan = FakeLAN([.fake(Self.id)]), cloud = FakeCloud(socket: false)
        lan.set(Self.id, .refuse)
        #expect(try await Self.router(lan, cloud).power(.on, Self.id).route == .rest)
        #expect(cloud.log == ["rest update \(Self.id)"])
        let dropping = FakeCloud()
        dropping.setSocket(.fail(.transport(path: "websocket", reason: "the connection was reset")))
        #expect(try await Self.router(lan, dropping).power(.on, Self.id).route == .rest)
        #expect(dropping.log == ["ws update \(Self.id)", "rest update \(Self.id)"])
    }

    @Test("A refusal through the WebSocket is final: REST is not asked the same")
    func webSocketRefusal() async throws {
        let lan = FakeLAN([.fake(Self.id)]), cloud = FakeCloud()
        lan.set(Self.id, .refuse)
        cloud.setSocket(.refuse(504))
        await #expect(throws: ControlError.self) { try await Self.router(lan, cloud).power(.on, Self.id) }
        #expect(cloud.log == ["ws update \(Self.id)"])
    }

    @Test("A device that answered with an error code has spoken: never retried through the cloud")
    func deviceErrorIsFinal() async throws {
        let lan = FakeLAN([.fake(Self.id)]), cloud = FakeCloud()
        lan.set(Self.id, .deviceError(400))
        await #expect(throws: ControlError.self) { try await Self.router(lan, cloud).power(.on, Self.id) }
        #expect(cloud.log.isEmpty)
    }

    @Test("An address that cannot prove it is the device: auto goes through the cloud; --via lan fails, exit 4")
    func unprovenAddress() async throws {
        let lan = FakeLAN([.fake(Self.id)]), cloud = FakeCloud()
        lan.set(Self.id, .impostor)
        let r = try await Self.router(lan, cloud).power(.on, Self.id)
        #expect(r.route == .websocket && cloud.log == ["ws update \(Self.id)"])
        do {
            _ = try await Self.router(lan, cloud).power(.on, Self.id, via: .lan)
            Issue.record("an unproven address served a command")
        } catch {
            guard case .lan(.addressUnproven) = error else { Issue.record("\(error)"); return }
            #expect(ExitStatus.code(for: error) == ExitStatus.unreachable)
        }
        #expect(cloud.log.count == 1)
    }

    @Test("--via cloud never touches the LAN; --via lan never the cloud")
    func viaForces() async throws {
        let lan = FakeLAN([.fake(Self.id)]), cloud = FakeCloud()
        let router = Self.router(lan, cloud)
        #expect(try await router.power(.on, Self.id, via: .cloud).route == .websocket)
        #expect(lan.log.isEmpty)
        lan.set(Self.id, .refuse)
        await #expect(throws: ControlError.self) { try await router.power(.on, Self.id, via: .lan) }
        #expect(cloud.log == ["ws update \(Self.id)"], "only the first command went to the cloud")
        #expect(lan.log == ["send \(Self.id)"])
    }

    @Test("--via cloud without a cloud session is refused before anything is sent")
    func viaCloudWithoutSession() async throws {
        let lan = FakeLAN([.fake(Self.id)])
        await #expect(throws: ControlError.self) { try await Self.router(lan, nil).power(.on, Self.id, via: .cloud) }
        #expect(lan.log.isEmpty)
    }

    @Test("Not in the cloud account (no owner apikey): LAN only, a LAN failure is the answer")
    func notInAccount() async throws {
        let lan = FakeLAN([.fake(Self.id, apikey: nil)]), cloud = FakeCloud()
        lan.set(Self.id, .refuse)
        await #expect(throws: ControlError.self) { try await Self.router(lan, cloud).power(.on, Self.id) }
        #expect(cloud.log.isEmpty)
    }

    @Test("Never seen on the LAN: the avahi cache is asked once, then the cloud at once; not asked again for a while")
    func neverSeen() async throws {
        let lan = FakeLAN([.fake(Self.id, host: nil)]), cloud = FakeCloud()
        let router = Self.router(lan, cloud)
        let r = try await router.power(.on, Self.id)
        #expect(r.route == .websocket && r.elapsed < .milliseconds(250))
        #expect(lan.log == ["lookup \(Self.id)"])
        _ = try await router.power(.off, Self.id)
        #expect(lan.count("lookup \(Self.id)") == 1, "the cache miss is remembered")
    }

    @Test("Three failures in a row mark the LAN down; a probe that finds it open brings it back")
    func downAndProbe() async throws {
        let lan = FakeLAN([.fake(Self.id)]), cloud = FakeCloud()
        let router = Self.router(lan, cloud)
        lan.set(Self.id, .refuse)
        for _ in 0..<3 { #expect(try await router.power(.on, Self.id).route == .websocket) }
        #expect(try await router.reachability(of: Self.id).lanDown)
        let sends = lan.count("send \(Self.id)")
        #expect(try await router.power(.on, Self.id).route == .websocket)
        #expect(lan.count("send \(Self.id)") == sends, "a LAN marked down is not tried")
        #expect(lan.count("probe \(Self.id)") == 1)
        // The probe is due again only after the interval; make it due and let it succeed.
        var options = Router.Options()
        options.probeInterval = .zero
        let probing = Router(lanLeg: lan, cloudLeg: cloud, options: options)
        lan.set(Self.id, .answer(after: .zero))
        lan.setProbe(open: true)
        #expect(try await probing.power(.off, Self.id).route == .lan)
    }

    @Test("A slow LAN is hedged: the cloud joins after twice the slowest reply + 20 ms and wins")
    func hedged() async throws {
        let lan = FakeLAN([.fake(Self.id, replyMs: 5)]), cloud = FakeCloud()
        lan.set(Self.id, .answer(after: .seconds(2)))
        // The LAN wait is held at 2.5 s, so only the hedge can bring the cloud in sooner.
        var options = Router.Options()
        options.lanTimeoutFloor = .milliseconds(2500)
        let router = Router(lanLeg: lan, cloudLeg: cloud, options: options)
        let r = try await router.power(.on, Self.id)
        #expect(r.route == .websocket)
        // Hedge delay 2 × 5 + 20 = 30 ms; far under the LAN's 2 s reply and its 2.5 s wait.
        #expect(r.elapsed >= .milliseconds(30) && r.elapsed < .milliseconds(1500), "\(r.elapsed)")
        #expect(router.lanCommandsInFlight <= 1)
    }

    @Test("Without hedging a slow LAN gets its whole learnt wait before the cloud")
    func notHedged() async throws {
        let lan = FakeLAN([.fake(Self.id, replyMs: 5)]), cloud = FakeCloud()
        lan.set(Self.id, .silent)
        let r = try await Self.router(lan, cloud, hedging: false).power(.on, Self.id)
        #expect(r.route == .websocket)
        #expect(r.elapsed >= .milliseconds(300), "the learnt wait is at least its 300 ms floor")
        #expect(r.elapsed < .milliseconds(2900), "before the 3 s ceiling")
    }

    @Test("One 2 s reply does not stretch the LAN wait for long: two fast replies later a silent LAN gets the floor")
    func slowReplyForgotten() async throws {
        // Nothing learnt: the whole 3 s ceiling, which the 2 s reply fits in.
        let lan = FakeLAN([.fake(Self.id, replyMs: nil)]), cloud = FakeCloud()
        let router = Self.router(lan, cloud, hedging: false)
        lan.set(Self.id, .answer(after: .seconds(2)))
        #expect(try await router.power(.on, Self.id).route == .lan)
        lan.set(Self.id, .answer(after: .milliseconds(5)))
        for _ in 0..<2 { #expect(try await router.power(.on, Self.id).route == .lan) }
        lan.set(Self.id, .silent)
        let r = try await router.power(.off, Self.id)
        #expect(r.route == .websocket)
        #expect(r.elapsed >= .milliseconds(300) && r.elapsed < .milliseconds(1000),
                "the 300 ms floor, not 4 × 2 s capped at 3 s: \(r.elapsed)")
    }

    @Test("A fast LAN is never hedged")
    func fastNotHedged() async throws {
        let lan = FakeLAN([.fake(Self.id, replyMs: 50)]), cloud = FakeCloud()
        lan.set(Self.id, .answer(after: .milliseconds(5)))
        #expect(try await Self.router(lan, cloud).power(.on, Self.id).route == .lan)
        #expect(cloud.log.isEmpty)
    }

    @Test("A device the cloud said is offline skips the WebSocket; reachability says what is known")
    func presence() async throws {
        let lan = FakeLAN([.fake(Self.id)]), cloud = FakeCloud()
        let router = Self.router(lan, cloud)
        router.noteCloudPresence(Self.id, false)
        #expect(lan.stored(Self.id)?.cloudOnline == false, "kept for later processes")
        #expect(try await router.power(.on, Self.id, via: .cloud).route == .rest)
        let reach = try await router.reachability(of: Self.id)
        #expect(reach.cloudOnline == false && reach.cloudSession == .websocket && reach.lanKnown && !reach.lanDown)
    }

    @Test("State: the LAN first, the cloud when the LAN cannot tell")
    func state() async throws {
        let lan = FakeLAN([.fake(Self.id)]), cloud = FakeCloud()
        let router = Self.router(lan, cloud)
        #expect(try await router.state(of: Self.id).route == .lan)
        lan.set(Self.id, .refuse)
        #expect(try await router.state(of: Self.id).route == .websocket)
        #expect(cloud.log == ["ws query \(Self.id)"])
    }
}
