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
}
