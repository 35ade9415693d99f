@testable import EWeLinkHub
import EWeLink
@testable import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Issue 20, items 2, 3 and 5 (metrics, TCP): the hub against a hostile neighbour, a dead device,
/// and hostile TCP clients.
@Suite("the hub against hostile neighbours, dead devices and TCP clients", .serialized)
struct HubHardeningTests {
    @Test("escapes and forged lines from mDNS and from requests reach the hub's log escaped")
    func logEscaping() async throws {
        let f = try await HubFixture([("plug", true)])
        try await f.startHub()
        let plug = f.sim.devices[0]
        // A neighbour's announcement through the real avahi-daemon: an id that clears the screen,
        // retitles the terminal, and starts a line of its own.
        let hostile = "10ee\u{1b}[2J\u{1b}]0;PWNED\u{07}\nFAKE hub log line"
        let spoofer = try await Spoofer()
        try await spoofer.announce(Spoofer.forgedPlain(id: hostile, seq: 1))
        // Requests with CR/LF in what the hub logs: an endpoint, and a device in the path.
        let send = HubWire.request(f.socketPath, "POST", "/devices/\(plug.id)/send?endpoint=zeroconf%2Fswitch%0D%0AFAKE%20endpoint%20line",
                                   body: Array(#"{"switch":"on"}"#.utf8))
        #expect(send.map { $0.status >= 400 } == true, "\(send?.text ?? "")")
        let on = HubWire.request(f.socketPath, "POST", "/devices/nosuch%0D%0AFAKE%20device%20line/on")
        #expect(on?.status == 404 || on?.status == 400, "\(on?.text ?? "")")
        // The announcement's event is logged once the hub has seen it.
        let deadline = ContinuousClock.now + .seconds(15)
        while !f.log().contains("PWNED") && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        await spoofer.stop()
        let log = f.log()
        #expect(log.contains(#"10ee\u001b[2J\u001b]0;PWNED\u0007\u000aFAKE hub log line"#), "\(log.suffix(3000))")
        #expect(log.contains(#"\u000d\u000aFAKE endpoint line"#), "\(log.suffix(3000))")
        #expect(log.contains(#"nosuch\u000d\u000aFAKE device line"#), "\(log.suffix(3000))")
        #expect(!log.unicodeScalars.contains { $0 == "\u{1b}" || $0 == "\u{07}" || $0 == "\r" })
        for line in log.split(separator: "\n") {
            #expect(!line.hasPrefix("FAKE"), "a forged line: \(line)")
        }
        await f.close()
    }

    @Test("a device that never answers: every command and status answered within the limit, slots freed, others unharmed")
    func deadDevice() async throws {
        let f = try await HubFixture([("plug", true), ("plug", true)])
        let dead = f.sim.devices[0], healthy = f.sim.devices[1]
        try await f.startHub(["--command-timeout", "2"])
        // Accepts connections and never answers; no longer announced, so its state must be asked.
        _ = await dead.setFaults {
            $0.lan = .blackhole
            $0.announce = false
        }
        try await Task.sleep(for: .seconds(1))
        // 30 commands and 20 status reads at once: all answered 504 within 2 s and a margin.
        let requests = Array(repeating: ("POST", "/devices/\(dead.id)/on"), count: 30)
            + Array(repeating: ("GET", "/devices/\(dead.id)/status"), count: 20)
        let path = f.socketPath
        let answers = await offThread { HubWire.concurrent(path, requests.map { (method: $0.0, target: $0.1) }, seconds: 20) }
        #expect(answers.allSatisfy { $0.status == 504 }, "\(answers.map { "\($0.status.map(String.init) ?? "none") \($0.text)" })")
        let slowest = answers.map(\.after).max() ?? .zero
        #expect(slowest < .seconds(5), "the last answer after \(slowest)")
        // Nothing is left in flight once everyone is answered.
        #expect(f.metric("ewelink_hub_commands_in_flight").first?.value == 0)
        #expect(HubWire.request(path, "GET", "/health")?.json?["commandsInFlight"] == 0)

        // 600 at once for the dead device: beyond its own share they are refused at once, and a
        // command to a healthy device meanwhile succeeds.
        let flood = Array(repeating: (method: "POST", target: "/devices/\(dead.id)/off"), count: 600)
        async let flooded = offThread { HubWire.concurrent(path, flood, seconds: 20) }
        try await Task.sleep(for: .milliseconds(300))
        let ok = await offThread { HubWire.request(path, "POST", "/devices/\(healthy.id)/on") }
        #expect(ok?.status == 200, "\(ok?.text ?? "")")
        #expect(healthy.snapshot.params["switch"] == "on")
        let floodAnswers = await flooded
        let statuses = Dictionary(grouping: floodAnswers, by: { $0.status ?? 0 }).mapValues(\.count)
        #expect(Set(statuses.keys).isSubset(of: [503, 504]), "\(statuses)")
        // Refused for that device's sake, never as "the hub is busy" (which would hit every device).
        #expect(statuses[503, default: 0] > 0, "\(statuses)")
        #expect(floodAnswers.filter { $0.status == 503 }.allSatisfy { $0.text.contains("have not finished") })
        #expect((floodAnswers.map(\.after).max() ?? .zero) < .seconds(5))
        #expect(f.metric("ewelink_hub_commands_in_flight").first?.value == 0)
        // The healthy device is still served with the dead one's slots taken.
        let again = HubWire.request(path, "GET", "/devices/\(healthy.id)/status")
        #expect(again?.status == 200, "\(again?.text ?? "")")
        await f.close()
    }
}
