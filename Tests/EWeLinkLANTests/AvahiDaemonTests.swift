import EWeLinkLAN
import Foundation
import Testing

/// Waits for the first event of `stream` matching `predicate`, or fails after `timeout`.
func firstEvent<T: Sendable>(
    _ stream: AsyncStream<BrowseEvent>, timeout: Duration = .seconds(10),
    where predicate: @escaping @Sendable (BrowseEvent) -> T?
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            for await event in stream { if let hit = predicate(event) { return hit } }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let hit = first else {
            throw AvahiTestError.timeout
        }
        return hit
    }
}

enum AvahiTestError: Error { case timeout }

/// Runs `avahi-browse -rpt` (an independent Avahi client) and returns its resolved lines; waited
/// for on a thread of its own, so the cooperative pool stays free for in-process publishers.
func avahiBrowseLines(_ type: String) async throws -> [String] {
    try await withCheckedThrowingContinuation { cont in
        Thread { cont.resume(with: Result { try avahiBrowseLinesBlocking(type) }) }.start()
    }
}

private func avahiBrowseLinesBlocking(_ type: String) throws -> [String] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/avahi-browse")
    p.arguments = ["-rpt", type]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { $0.hasPrefix("=") }
}

@Suite("Avahi through the real daemon", .serialized)
struct AvahiDaemonTests {
    @Test("A service published through CAvahi is browsed and resolved with its TXT, follows TXT changes, and goes away")
    func publishBrowseResolve() async throws {
        let connection = try AvahiConnection()
        let lo = try AvahiConnection.interfaceIndex(named: "lo")
        let id = "10" + String(UInt64.random(in: 0..<(1 << 32)), radix: 16).padding(toLength: 8, withPad: "0", startingAt: 0)
        let name = "eWeLink_\(id)"
        let cipher = DeviceCipher(devicekey: UUID().uuidString.lowercased())
        let state: JSONObject = ["switch": "on", "startup": "stay", "pulse": "off", "pulseWidth": 500, "rssi": -55]
        let ann = try TXTAnnouncement.make(deviceID: id, type: .plug, seq: 1, state: state, cipher: cipher)

        let browser = try ServiceBrowser(interfaceIndex: lo, on: connection)
        defer { browser.stop() }
        let service = try await PublishedService(
            ServiceDescription(name: name, port: 18_081, txt: ann.records, interfaceIndex: lo), on: connection)
        #expect(service.isEstablished)

        let found = try await firstEvent(browser.events) { event -> ResolvedService? in
            if case .resolved(let s) = event, s.name == name { return s }
            return nil
        }
        #expect(found.address == "127.0.0.1")
        #expect(found.port == 18_081)
        #expect(found.type == "_ewelink._tcp")
        #expect(found.txt.map(\.key) == ann.records.map(\.key), "TXT arrives in publish order")
        let decoded = try TXTAnnouncement(records: found.txtRecords)
        #expect(decoded.seq == 1)
        #expect(try decoded.state(cipher: cipher) == state)

        // An independent client (avahi-browse) sees the same service through the daemon.
        let lines = try await avahiBrowseLines("_ewelink._tcp").filter { $0.contains(name) }
        #expect(lines.contains { $0.contains(";lo;IPv4;") && $0.contains("127.0.0.1;18081;") && $0.contains("\"seq=1\"") })

        // A TXT change re-fires the kept-alive resolver.
        var newState = state
        newState["switch"] = "off"
        let ann2 = try TXTAnnouncement.make(deviceID: id, type: .plug, seq: 2, state: newState, cipher: cipher)
        try service.updateTXT(ann2.records)
        let updated = try await firstEvent(browser.events) { event -> TXTAnnouncement? in
            if case .resolved(let s) = event, s.name == name, let a = try? TXTAnnouncement(records: s.txtRecords),
               a.seq == 2 { return a }
            return nil
        }
        #expect(try updated.state(cipher: cipher)?["switch"] == "off")

        // Withdrawing the service is seen as a removal.
        service.withdraw()
        let removed = try await firstEvent(browser.events) { event -> String? in
            if case .removed(let n, _) = event, n == name { return n }
            return nil
        }
        #expect(removed == name)
    }

    @Test("Browsing reports ALL_FOR_NOW so one-shot discovery can return")
    func allForNow() async throws {
        let connection = try AvahiConnection()
        let browser = try ServiceBrowser(type: "_nothing-here._tcp", on: connection)
        defer { browser.stop() }
        let done = try await firstEvent(browser.events, timeout: .seconds(5)) { event -> Bool? in
            event == .allForNow ? true : nil
        }
        #expect(done)
    }
}
