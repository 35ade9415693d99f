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
}
