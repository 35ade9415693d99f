import EWeLink
import Testing

/// The learnt LAN wait, from reply times alone (no clock, no sockets).
@Suite("The learnt LAN wait")
struct LANHealthTests {
    static func health(_ replies: [Double]) -> LANHealth {
        var h = LANHealth()
        for ms in replies { h.succeeded(after: .microseconds(Int64(ms * 1000))) }
        return h
    }

    @Test("One slow reply among fast ones stretches the wait of the next two commands, not of eight")
    func oneSlowReply() {
        // A device answering in 5 ms, then once in 2 s (a busy moment).
        var h = Self.health(Array(repeating: 5, count: 7) + [2000])
        #expect(h.timeout() == .seconds(3), "right after the slow reply it is still respected")
        h.succeeded(after: .milliseconds(5))
        #expect(h.timeout() == .seconds(3))
        h.succeeded(after: .milliseconds(5))
        // Two fast replies later: back to the floor (4 × 5 ms + 100 ms is under 300 ms).
        #expect(h.timeout() == .milliseconds(300))
        #expect(h.hedgeDelay(limit: .seconds(3)) == .milliseconds(30))
        // Still in the window of 8 replies, and no longer counted.
        #expect(h.replyMs.contains(2000))
        for _ in 0..<5 {
            h.succeeded(after: .milliseconds(5))
            #expect(h.timeout() == .milliseconds(300))
        }
    }

    @Test("A device that is slow most of the time keeps a wait its slow replies fit in")
    func consistentlySlow() {
        // Half its replies take 600 ms: whichever came last, the wait covers them.
        var h = Self.health([600, 20, 600, 20, 600, 20, 600, 20])
        #expect(h.timeout() == .milliseconds(2500))
        h.succeeded(after: .milliseconds(600))
        #expect(h.timeout() == .milliseconds(2500))
        // Always slow: one fast reply changes nothing.
        h = Self.health(Array(repeating: 1100, count: 8))
        h.succeeded(after: .milliseconds(20))
        #expect(h.timeout(ceiling: .seconds(10)) == .milliseconds(4500))
        #expect(h.hedgeDelay(limit: .seconds(10)) == .milliseconds(2220))
    }

    @Test("Nothing learnt: the ceiling; one reply: that reply")
    func edges() {
        #expect(LANHealth().timeout(ceiling: .seconds(3)) == .seconds(3))
        #expect(LANHealth().hedgeDelay(limit: .seconds(3)) == .milliseconds(300))
        #expect(Self.health([500]).timeout() == .milliseconds(2100))
    }
}
