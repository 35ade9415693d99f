import EWeLinkLAN
import NIOHTTP1
import Synchronization

/// Runs one simulated device: its zeroconf HTTP port, its mDNS service and its drifting
/// readings, all following the device's state and fault settings.
final class DeviceRuntime: Sendable {
    let device: SimulatedDevice
    let http: LoopbackHTTPServer
    private let avahi: AvahiConnection?
    private let interfaceIndex: Int32?
    private let service = Mutex<PublishedService?>(nil)
    /// State changes to announce, coalesced: the announcer publishes the latest state, off the
    /// request path, so a reply never waits for the D-Bus round trip to the avahi-daemon.
    private let announceRequests: AsyncStream<Void>.Continuation
    private let announceStream: AsyncStream<Void>
    private let announcer = Mutex<Task<Void, Never>?>(nil)
    private let readingsTask = Mutex<Task<Void, Never>?>(nil)

    init(device: SimulatedDevice, avahi: AvahiConnection?, interfaceIndex: Int32?, downloader: FirmwareDownloader) {
        self.device = device
        self.avahi = avahi
        self.interfaceIndex = interfaceIndex
        (announceStream, announceRequests) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        http = LoopbackHTTPServer(
            host: device.config.host, port: device.config.port, oneConnectionAtATime: true,
            gate: {
                switch device.snapshot.faults.lan {
                case .reset: return .reset
                case .blackhole: return .hang
                default: return nil
                }
            },
            handler: { request in await DeviceRuntime.answer(request, device: device, downloader: downloader) })
    }

    /// Binds the port, publishes the service (waiting until established) and starts readings.
    func start() async throws {
        try await http.start()
        device.withState { $0.port = http.port }
        device.observe { [weak self] change in self?.changed(change) }
        device.onFaults { [weak self] faults in await self?.applyFaults(faults) }
        if let avahi, device.config.host == "127.0.0.1" {
            let ann = try device.announcement()
            let published = try await PublishedService(
                ServiceDescription(name: "eWeLink_\(device.id)", port: UInt16(http.port), txt: ann.records,
                                   interfaceIndex: interfaceIndex), on: avahi)
            service.withLock { $0 = published }
            let stream = announceStream
            announcer.withLock {
                $0 = Task { [weak self] in
                    for await _ in stream { self?.announceCurrentState() }
                }
            }
        }
        if device.profile.hasReadings {
            let interval = device.config.readingsIntervalMs
            let task = Task { [device] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(interval))
                    if Task.isCancelled { break }
                    let s = device.snapshot
                    if !s.rebooting { device.driftReadings() }
                }
            }
            readingsTask.withLock { $0 = task }
        }
    }

    func stop() async {
        readingsTask.withLock { $0?.cancel() }
        announceRequests.finish()
        let published = service.withLock { s -> PublishedService? in defer { s = nil }; return s }
        published?.withdraw()
        await http.stop()
    }

    private func changed(_ change: DeviceChange) {
        switch change {
        case .state:
            announceRequests.yield()
        case .rebooting:
            service.withLock { $0 }?.withdraw()
            Task { await http.stop(holdingPort: true) }
        case .rebooted:
            Task { await self.comeBack() }
        case .faults, .online:
            break
        }
    }

    /// Publishes the current state with a fresh IV (only the announcer task calls this).
    private func announceCurrentState() {
        do {
            let s = device.snapshot
            guard !s.rebooting, s.faults.announce, let published = service.withLock({ $0 }),
                  let ann = try? device.announcement() else { return }
            if published.isEstablished {
                try? published.updateTXT(ann.records)
            } else {
                published.setPendingTXT(ann.records)
            }
        }
    }

    private func comeBack() async {
        let s = device.snapshot
        if s.faults.lan != .refuse { try? await http.start() }
        await reannounce()
    }

    private func reannounce() async {
        let s = device.snapshot
        guard s.faults.announce, !s.rebooting, let published = service.withLock({ $0 }),
              let ann = try? device.announcement() else { return }
        published.setPendingTXT(ann.records)
        try? await published.announce()
    }

    private func applyFaults(_ faults: DeviceFaults) async {
        let rebooting = device.snapshot.rebooting
        if faults.lan == .refuse {
            await http.stop(holdingPort: true)
        } else if !rebooting {
            try? await http.start()
        }
        guard let published = service.withLock({ $0 }) else { return }
        if !faults.announce {
            published.withdraw()
        } else if !published.isEstablished && !rebooting {
            await reannounce()
        }
    }

    /// One zeroconf request, with the device's fault settings applied.
    static func answer(_ request: SimpleHTTPRequest, device: SimulatedDevice,
                       downloader: FirmwareDownloader) async -> HTTPAction {
        let faults = device.snapshot.faults
        if faults.delayMs > 0 { try? await Task.sleep(for: .milliseconds(faults.delayMs)) }
        switch faults.lan {
        case .garbage:
            let junk = (0..<48).map { _ in UInt8.random(in: 0x21...0x7E) }
            return .respond(status: .ok, contentType: "text/html", body: Array("<html>".utf8) + junk)
        case .blackhole: return .hang
        case .reset: return .reset
        case .ok, .refuse: break
        }
        let path = request.path
        guard request.method == .POST, path.hasPrefix(LANProtocol.pathPrefix) else {
            return .respond(status: .notFound, contentType: "text/html",
                            body: Array("<html><body>404 Not Found</body></html>".utf8))
        }
        let endpoint = String(path.dropFirst(LANProtocol.pathPrefix.count))
        let reply = await device.handleZeroconf(endpoint: endpoint, body: request.body, downloader: downloader)
        if let after = reply.afterReply {
            Task {
                try? await Task.sleep(for: .milliseconds(100))
                await after()
            }
        }
        return .respond(status: .ok, contentType: "application/json", body: reply.response.body)
    }
}
