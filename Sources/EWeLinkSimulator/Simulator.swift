import EWeLinkLAN
import Synchronization

/// A fleet of simulated eWeLink devices speaking the LAN protocol on loopback, announced
/// through the avahi-daemon, with a control API for fault injection.
public final class Simulator: Sendable {
    public struct Options: Sendable {
        /// Interface the services are published on (`lo` keeps them off real networks).
        public var interface: String = "lo"
        /// Control API port (0: a free one).
        public var controlPort: Int = 0
        /// Publish over mDNS (off: HTTP only, for machines without an avahi-daemon).
        public var publishMDNS: Bool = true
        /// Port of the mock cloud (nil: no cloud; 0: a free port). Needs a `cloud` member in the fleet.
        public var cloudPort: Int? = nil
        public init() {}
    }

    public let devices: [SimulatedDevice]
    /// The mock cloud, when the fleet has a `cloud` member.
    public let cloud: MockCloud?
    private let options: Options
    private let runtimes = Mutex<[DeviceRuntime]>([])
    private let control: LoopbackHTTPServer

    public init(fleet: Fleet, options: Options = Options()) {
        let list = fleet.devices.map(SimulatedDevice.init)
        devices = list
        cloud = fleet.cloud.map { MockCloud(fleet: $0, devices: list) }
        self.options = options
        let api = ControlAPI(devices: devices)
        control = LoopbackHTTPServer(port: options.controlPort, oneConnectionAtATime: false) { await api.handle($0) }
    }

    /// The control API's port (after `start`).
    public var controlPort: Int { control.port }

    public func device(_ id: String) -> SimulatedDevice? { devices.first { $0.id == id } }

    /// How many connections to a device were reset because it was already serving one.
    public func busyResets(_ id: String) -> Int {
        runtimes.withLock { $0.first { $0.device.id == id } }?.http.busyResets ?? 0
    }

    /// Starts every device and the control API; returns when every mDNS service is established.
    public func start() async throws {
        var avahi: AvahiConnection? = nil
        var index: Int32? = nil
        if options.publishMDNS {
            avahi = try AvahiConnection()
            index = try AvahiConnection.interfaceIndex(named: options.interface)
        }
        let downloader = FirmwareDownloader()
        let list = devices.map { DeviceRuntime(device: $0, avahi: avahi, interfaceIndex: index, downloader: downloader) }
        runtimes.withLock { $0 = list }
        try await control.start()
        if let port = options.cloudPort {
            guard let cloud else {
                throw FleetError(file: "fleet", device: nil, field: "cloud",
                                 reason: "a mock cloud needs a \"cloud\" member (appId, appSecret, accounts)")
            }
            try await cloud.start(port: port)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for runtime in list { group.addTask { try await runtime.start() } }
            try await group.waitForAll()
        }
    }

    /// A started simulator of `fleet` with its mock cloud on a free port, announced over mDNS
    /// only when `mdns` (tests and benchmarks).
    public static func startedWithCloud(_ fleet: Fleet, mdns: Bool = false) async throws -> Simulator {
        var options = Options()
        options.publishMDNS = mdns
        options.cloudPort = 0
        let sim = Simulator(fleet: fleet, options: options)
        try await sim.start()
        return sim
    }

    /// Withdraws every service and closes every port.
    public func stop() async {
        let list = runtimes.withLock { r -> [DeviceRuntime] in defer { r = [] }; return r }
        await withTaskGroup(of: Void.self) { group in
            for runtime in list { group.addTask { await runtime.stop() } }
        }
        await control.stop()
        await cloud?.stop()
    }

    /// The `{"event":"ready",…}` line printed once everything is up.
    public var readyEvent: JSONObject {
        [
            "event": "ready", "interface": .string(options.publishMDNS ? options.interface : "none"),
            "control": .string("http://127.0.0.1:\(controlPort)"), "controlPort": .int(controlPort),
            "cloud": options.cloudPort != nil ? (cloud.map { .string($0.baseURL) } ?? .null) : .null,
            "devices": .array(devices.map { d in
                ["id": .string(d.id), "name": .string(d.config.name), "type": .string(d.config.type.rawValue),
                 "host": .string(d.config.host), "port": .int(d.snapshot.port), "encrypted": .bool(!d.isDIY)]
            }),
        ]
    }
}
