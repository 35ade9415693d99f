import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Synchronization

/// A hostile neighbour: a service published through the real avahi-daemon (on `lo`) that claims
/// another device's id, and a tiny HTTP server behind it that acknowledges every request (by
/// default with a plain `{"error":0}`, or as the firmware would: `Reply`) and keeps what it was sent.
public final class Spoofer: Sendable {
    /// How the spoofer answers a request.
    public enum Reply: Sendable {
        /// The same body every time.
        case fixed(String)
        /// A firmware-shaped acknowledgement: `{"seq":7,"sequence":<the request's>,"error":0}`.
        case echo
        /// The echo with `encrypt`, `iv` and `data` copied from an announcement (data1…data4
        /// joined): what anyone who received the device's multicast announcement can send back. It
        /// decrypts with the device's key.
        case echoWithAnnouncedData(iv: String, data: String)

        func body(for request: [UInt8]) -> [UInt8] {
            let sequence = (try? JSONValue.parse(request))?["sequence"] ?? .null
            var o: JSONObject = ["seq": 7, "sequence": sequence, "error": 0]
            switch self {
            case .fixed(let text): return Array(text.utf8)
            case .echo: break
            case .echoWithAnnouncedData(let iv, let data):
                o["encrypt"] = true
                o["iv"] = .string(iv)
                o["data"] = .string(data)
            }
            return Array(JSONValue.object(o).serialized.utf8)
        }
    }

    public let name: String
    private let server: LoopbackHTTPServer
    private let connection: AvahiConnection
    private let service = Mutex<PublishedService?>(nil)
    private let received = RequestLog()

    final class RequestLog: Sendable {
        let paths = Mutex<[String]>([])
    }

    /// Starts the HTTP server on a free loopback port; nothing is announced yet.
    public convenience init(name: String = "eWeLink_x\(UInt16.random(in: 0...UInt16.max))",
                            reply: String = #"{"error":0}"#) async throws {
        try await self.init(name: name, answering: .fixed(reply))
    }

    /// Starts the HTTP server on a free loopback port, answering as `answering` says.
    public init(name: String = "eWeLink_x\(UInt16.random(in: 0...UInt16.max))", answering: Reply) async throws {
        self.name = name
        let log = received
        server = LoopbackHTTPServer(port: 0, oneConnectionAtATime: false) { request in
            log.paths.withLock { $0.append(request.path) }
            return .respond(status: .ok, contentType: "application/json", body: answering.body(for: request.body))
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

    /// The device's own announcement (`eWeLink_<id>`) as any host on the LAN receives it through
    /// the avahi-daemon: its TXT, in order, ready to be published again, and its decoded form.
    package static func capture(_ deviceID: String) async throws -> (txt: [(key: String, value: String)], announcement: TXTAnnouncement) {
        let watcher = try MDNSWatcher()
        defer { watcher.stop() }
        var seen: MDNSWatcher.Seen? = nil
        try await eventually("the announcement of \(deviceID) is received") {
            seen = watcher.latest("eWeLink_\(deviceID)")
            return seen?.announcement != nil
        }
        guard let service = seen?.service, let announcement = seen?.announcement else {
            throw TestFailure("no announcement of \(deviceID)")
        }
        return (service.txt.map { ($0.key, $0.value) }, announcement)
    }

    /// A neighbour that replays the device's own announcement (captured through the avahi-daemon)
    /// under another service name, at its own port, answering as `answering` says.
    public static func replaying(_ deviceID: String, answering: Reply = .echo) async throws -> Spoofer {
        let (txt, _) = try await capture(deviceID)
        let spoofer = try await Spoofer(answering: answering)
        try await spoofer.announce(txt)
        return spoofer
    }

    /// One simulated encrypted plug, announced through the avahi-daemon, and a neighbour replaying
    /// its announcement with firmware-shaped acknowledgements.
    public static func plugAndReplay() async throws -> (Simulator, DeviceConfig, Spoofer) {
        let fleet = TestFleet.make([("plug", true)])
        let sim = Simulator(fleet: fleet)
        try await sim.start()
        do {
            return (sim, fleet.devices[0], try await replaying(fleet.devices[0].id))
        } catch {
            await sim.stop()
            throw error
        }
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
