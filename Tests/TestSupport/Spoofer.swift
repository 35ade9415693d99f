import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Synchronization

/// A hostile neighbour: a service published through the real avahi-daemon (on `lo`) that claims
/// another device's id, and a tiny HTTP server behind it that acknowledges every request with a
/// fixed reply (by default a plain `{"error":0}`) and keeps what it was sent.
public final class Spoofer: Sendable {
    public let name: String
    private let server: LoopbackHTTPServer
    private let connection: AvahiConnection
    private let service = Mutex<PublishedService?>(nil)
    private let received = RequestLog()

    final class RequestLog: Sendable {
        let paths = Mutex<[String]>([])
    }

    /// Starts the HTTP server on a free loopback port; nothing is announced yet.
    public init(name: String = "eWeLink_x\(UInt16.random(in: 0...UInt16.max))", reply: String = #"{"error":0}"#) async throws {
        self.name = name
        let log = received
        let body = Array(reply.utf8)
        server = LoopbackHTTPServer(port: 0, oneConnectionAtATime: false) { request in
            log.paths.withLock { $0.append(request.path) }
            return .respond(status: .ok, contentType: "application/json", body: body)
        }
        try await server.start()
        connection = try AvahiConnection()
    }

    /// A spoofer announcing `txt` first, then `fleet`'s simulator started: the forgery is in the
    /// avahi-daemon before the real device.
    public static func ahead(of fleet: Fleet, _ txt: [(key: String, value: String)]) async throws -> (Spoofer, Simulator) {
        let spoofer = try await Spoofer()
        try await spoofer.announce(txt)
        let sim = Simulator(fleet: fleet)
        try await sim.start()
        return (spoofer, sim)
    }

    public var port: Int { server.port }
    public var address: String { "127.0.0.1:\(server.port)" }
    /// The paths of the requests it received.
    public var requests: [String] { received.paths.withLock { $0 } }

    /// Publishes the service with `txt` (first call), or re-announces it with a new TXT.
    public func announce(_ txt: [(key: String, value: String)]) async throws {
        if let existing = service.withLock({ $0 }) {
            try existing.updateTXT(txt)
            return
        }
        let published = try await PublishedService(
            ServiceDescription(name: name, port: UInt16(server.port), txt: txt,
                               interfaceIndex: try AvahiConnection.interfaceIndex(named: "lo")), on: connection)
        service.withLock { $0 = published }
    }

    public func withdraw() {
        service.withLock { $0?.withdraw(); $0 = nil }
    }

    public func stop() async {
        withdraw()
        await server.stop()
    }

    /// A forged announcement of an encrypted device: `encrypt=true`, an IV, and data that does not
    /// decrypt with the device's key (sealed with another key).
    public static func forgedEncrypted(id: String, seq: Int = 999_999, type: String = "plug") -> [(key: String, value: String)] {
        let ann = try! TXTAnnouncement.make(deviceID: id, type: DeviceType(rawValue: type), seq: seq,
                                            state: ["switch": "on", "evil": 1],
                                            cipher: DeviceCipher(devicekey: "not-the-key-\(UUID().uuidString)"))
        return ann.records
    }

    /// A forged plain (DIY) announcement carrying `state`.
    public static func forgedPlain(id: String, seq: Int = 999_999, type: String = "diy_plug",
                                   state: JSONObject = ["switch": "on", "evil": 1]) -> [(key: String, value: String)] {
        try! TXTAnnouncement.make(deviceID: id, type: DeviceType(rawValue: type), seq: seq, state: state, cipher: nil).records
    }
}
