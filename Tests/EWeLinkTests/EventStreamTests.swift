import EWeLink
import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Synchronization
import Testing
import TestSupport

/// Events collected from a stream.
final class EventSink: Sendable {
    private let list = Mutex<[DeviceEvent]>([])
    init(_ stream: DeviceEventStream) {
        let events = stream.events
        Task { [weak self] in for await e in events { self?.list.withLock { $0.append(e) } } }
    }
    func of(_ id: String) -> [DeviceEvent] { list.withLock { $0.filter { $0.deviceID == id } } }
}

@Suite("One event stream: LAN and cloud, de-duplicated")
struct EventStreamTests {
    @Test("A LAN command is reported once, not again by mDNS or the cloud push; a cloud change once; presence once each way")
    func deduplicated() async throws {
        let (sim, c, store) = try await RouterTests.setUp([("plug", true)], mdns: true, addresses: false)
        defer { Task { await sim.stop() } }
        let socket = try await CloudSocket.connected(c)
        defer { Task { await socket.stop() } }
        let lan = LANController(store: store)
        let stream = try DeviceEventStream(lan: lan, socket: socket)
        defer { stream.stop() }
        let sink = EventSink(stream)
        let d = sim.devices[0]
        try await eventually("the device appears over mDNS") { sink.of(d.id).contains { $0.kind == .appeared } }
        #expect(sink.of(d.id).first?.source == .mdns && sink.of(d.id).first?.params != nil)

        let r = try await Router(lan: lan, cloud: c).power(.toggle, d.id)
        #expect(r.route == .lan)
        // Long enough for the re-announcement (≥ 1 s apart) and the cloud push to arrive.
        try await Task.sleep(for: .milliseconds(2500))
        let afterLAN = sink.of(d.id).filter { $0.kind == .state }
        #expect(afterLAN.count == 1, "\(afterLAN.map { "\($0.source) \($0.seq ?? -1) \(JSONValue.object($0.params ?? [:]).serialized)" })")
        // Whichever side told first (the announcement or the cloud's push), with the new state.
        #expect(afterLAN.first.map { $0.seq == nil || $0.seq == r.seq } == true)
        #expect(afterLAN.first?.params?["switch"] == r.state?["switch"])

        try await c.setStatus(of: d.id, params: ["switch": d.snapshot.params["switch"] == "on" ? "off" : "on"])
        try await Task.sleep(for: .milliseconds(2500))
        let afterCloud = sink.of(d.id).filter { $0.kind == .state }.dropFirst()
        #expect(afterCloud.count == 1, "\(afterCloud.map { "\($0.source) \($0.seq ?? -1)" })")
        #expect(afterCloud.first?.source == .cloud)

        d.setOnline(false)
        d.setOnline(true)
        try await eventually("offline then online") {
            sink.of(d.id).filter { $0.kind == .offline || $0.kind == .online }.map(\.kind) == [.offline, .online]
        }
        // Per device, LAN revisions only go forward.
        let seqs = sink.of(d.id).compactMap(\.seq)
        #expect(seqs == seqs.sorted())
        #expect(JSONValue.object(sink.of(d.id)[0].json(name: "x")).serialized.contains("\"source\":\"mdns\""))
    }

    @Test("Stopped or released streams, and dropped watches, leave no observer on the LAN client")
    func observersRemoved() async throws {
        let (sim, _, store) = try await RouterTests.setUp([("plug", true)], mdns: true)
        defer { Task { await sim.stop() } }
        let lan = LANController(store: store)
        let before = lan.client.observerCount
        for _ in 0..<20 {
            let stream = try DeviceEventStream(lan: lan)
            stream.stop()
        }
        #expect(lan.client.observerCount == before)
        for _ in 0..<20 { _ = try DeviceEventStream(lan: lan) }
        #expect(lan.client.observerCount == before)
        for _ in 0..<20 {
            let watching = try lan.watch()
            watching.stop()
        }
        #expect(lan.client.observerCount == before)
        // A live stream still hears the replies to commands.
        let stream = try DeviceEventStream(lan: lan)
        defer { stream.stop() }
        #expect(lan.client.observerCount == before + 1)
    }

    @Test("A stream from now reports no appearance of what was on the LAN, and every change after")
    func fromNow() async throws {
        let (sim, _, store) = try await RouterTests.setUp([("plug", true), ("plug", true)], mdns: true, addresses: false)
        defer { Task { await sim.stop() } }
        let lan = LANController(store: store)
        let (present, later) = (sim.devices[0], sim.devices[1])
        _ = await later.setFaults { $0.announce = false }
        try await eventually("one device is in the avahi-daemon's cache, the other is not") {
            let here = try await lan.lookup(present.id, cacheOnly: true), gone = try await lan.lookup(later.id, cacheOnly: true)
            return here != nil && gone == nil
        }
        let everything = try DeviceEventStream(lan: lan)
        let fromNow = try DeviceEventStream(lan: lan, start: .now)
        defer { everything.stop(); fromNow.stop() }
        let replayed = EventSink(everything), sink = EventSink(fromNow)
        try await eventually("the default stream reports the present device as appeared") {
            replayed.of(present.id).contains { $0.kind == .appeared }
        }
        // A change: reported, as a change.
        _ = present.press()
        try await eventually("the press is reported") { sink.of(present.id).contains { $0.kind == .state } }
        #expect(sink.of(present.id).map(\.kind) == [.state])
        #expect(sink.of(present.id).first?.params?["switch"] == present.snapshot.params["switch"])
        // A device that arrives after the start: reported as it appears.
        #expect(sink.of(later.id).isEmpty)
        _ = await later.setFaults { $0.announce = true }
        try await eventually("the new device is reported") { sink.of(later.id).map(\.kind) == [.appeared] }
        #expect(sink.of(present.id).map(\.kind) == [.state])
    }
}
