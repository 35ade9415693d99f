import EWeLinkCloud
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ServiceLifecycle
import Synchronization

/// The one entry point of the library: discover, switch with automatic cloud fallback, read
/// typed state, follow events, log in, sync keys and update firmware.
///
/// Commands go over the LAN when the device is reachable there, else through the cloud
/// WebSocket when the session is up, else through REST; each result says which route served
/// it (``CommandResult/route``) and how long it took.
///
/// ```swift
/// try await EWeLinkClient.withClient(.init(storeDirectory: path)) { client in
///     let result = try await client.turnOn("kitchen")
///     print(result.route, result.elapsed)
/// }
/// ```
///
/// One-shot calls need nothing more. A resident program (a bridge, a daemon) runs the client
/// as a swift-service-lifecycle `Service`: ``run()`` holds the cloud WebSocket and the mDNS
/// browser until a graceful shutdown. Either way ``shutdown()`` (or the end of ``withClient(_:_:)``)
/// ends every event stream, closes the cloud session and writes what the store still has to keep.
public final class EWeLinkClient: Service, Sendable {
    /// What the client was made with.
    public let configuration: EWeLinkConfiguration
    /// The LAN side: store, mDNS, zeroconf HTTP.
    package let lan: LANController
    /// The decision "LAN or cloud?" for every command; made on first use, so that a client
    /// whose work the blocking path does (`EWeLinkClient+Blocking`) starts no task for the cloud
    /// session's presence messages.
    package var router: Router {
        routerCell.withLock { cell in
            if let made = cell { return made }
            var routing = Router.Options()
            routing.lanTimeoutCeiling = configuration.lanTimeout
            routing.lanTimeoutFloor = min(configuration.lanTimeoutFloor, configuration.lanTimeout)
            routing.mergeWindow = configuration.channelMergeWindow
            routing.hedging = configuration.hedging
            let made = Router(lan: lan, cloud: cloud, socket: socket, options: routing)
            cell = made
            return made
        }
    }
    private let routerCell = Mutex<Router?>(nil)
    /// The cloud REST client; nil without a usable cloud configuration.
    package let cloud: CloudClient?
    /// The cloud WebSocket session, opened by ``run()`` or the first event subscriber; nil when
    /// the client was made without a cloud session.
    package let socket: CloudSocket?
    /// Why the configured cloud cannot be used (an unreadable session file, a CA file that is
    /// not there); nil when it can, or when no cloud is configured.
    public let cloudProblem: CloudError?

    private let lifecycle = Mutex(Lifecycle())
    /// Subscribers of ``events(from:)``, each with its own buffer.
    let subscribers = EventSubscribers()

    struct Lifecycle {
        var stream: DeviceEventStream?
        var pump: Task<Void, Never>?
        var shutDown = false
        var finished = false
        /// The shutdown under way (every caller waits for the same one).
        var closing: Task<Void, Never>?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// A client for `configuration`. Nothing is contacted until a call needs it.
    public init(configuration: EWeLinkConfiguration) {
        self.configuration = configuration
        var lanOptions = LANController.Options()
        lanOptions.resolveTimeout = configuration.resolveTimeout
        lanOptions.zeroconf.timeout = configuration.lanTimeout
        lanOptions.trustAddress = configuration.trustAddresses
        lan = LANController(store: DeviceStore(directory: configuration.storeDirectory), options: lanOptions)
        var cloud: CloudClient? = nil
        var problem: CloudError? = nil
        if let settings = configuration.cloud {
            do throws(CloudError) { cloud = try settings.client(sessionIn: configuration.storeDirectory) } catch { problem = error }
        }
        self.cloud = cloud
        cloudProblem = problem
        // A WebSocket session needs a login: without one at the start the client uses REST (after
        // a `login`) until it is made again.
        socket = cloud.flatMap { $0.session != nil ? CloudSocket(client: $0) : nil }
    }

    /// Runs `body` with a client for `configuration`, then shuts it down (also when `body` throws).
    public static func withClient<T>(_ configuration: EWeLinkConfiguration,
                                     _ body: (EWeLinkClient) async throws -> T) async throws -> T {
        let client = EWeLinkClient(configuration: configuration)
        do {
            let value = try await body(client)
            await client.shutdown()
            return value
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Calls `handler` with each problem of the device store that did not stop a command (a
    /// learnt address that could not be written, say); the command itself went through.
    public func onStoreProblem(_ handler: @escaping @Sendable (DeviceStoreError) -> Void) {
        lan.directory.onStoreProblem(handler)
    }

    // MARK: Lifecycle

    /// Holds the resident session: the cloud WebSocket (when logged in) and the mDNS browser
    /// behind ``events(from:)``, until a graceful shutdown, cancellation, or ``shutdown()``; then
    /// shuts the client down.
    ///
    /// - Throws: `ControlError` when the mDNS browser cannot start (no avahi-daemon).
    public func run() async throws {
        try startEvents(.now)
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await self.waitForShutdown()
            } onCancel: {
                self.requestShutdown()
            }
        } onGracefulShutdown: {
            self.requestShutdown()
        }
        await shutdown()
    }

    /// Ends every event stream, closes the cloud session, writes what the store still has to
    /// keep, and makes ``run()`` return. Safe to call more than once.
    public func shutdown() async {
        requestShutdown()
        let closing = lifecycle.withLock { l -> Task<Void, Never> in
            if let closing = l.closing { return closing }
            l.finished = true
            let (stream, pump) = (l.stream, l.pump)
            let closing = Task {
                stream?.stop()
                pump?.cancel()
                self.subscribers.finish()
                await self.socket?.stop()
                self.lan.directory.flush()
            }
            l.closing = closing
            return closing
        }
        await closing.value
    }

    private func requestShutdown() {
        let waiters = lifecycle.withLock { l -> [CheckedContinuation<Void, Never>] in
            l.shutDown = true
            defer { l.waiters = [] }
            return l.waiters
        }
        for w in waiters { w.resume() }
    }

    private func waitForShutdown() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = lifecycle.withLock { l -> Bool in
                if l.shutDown { return true }
                l.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Starts the event source (mDNS browser, cloud session) once, from `start`; returns it (nil
    /// after shutdown).
    @discardableResult
    func startEvents(_ start: DeviceEventStream.Start) throws(ControlError) -> DeviceEventStream? {
        let running: (DeviceEventStream?, Bool) = lifecycle.withLock { l in (l.stream, l.finished) }
        if let stream = running.0 { return stream }
        guard !running.1 else { return nil }
        let stream = try DeviceEventStream(lan: lan, socket: socket, start: start)
        let events = stream.events
        let pump = Task { [weak self] in
            for await event in events {
                guard let self else { return }
                self.subscribers.publish(self.named(event))
            }
            self?.subscribers.finish()
        }
        // The source in use: this one, another caller's that was kept first, or none after shutdown.
        let kept = lifecycle.withLock { l -> DeviceEventStream? in
            if l.stream == nil, !l.finished {
                l.stream = stream
                l.pump = pump
            }
            return l.stream
        }
        guard kept === stream else {
            stream.stop()
            pump.cancel()
            return kept
        }
        socket?.start()
        return stream
    }

    /// Whether the cloud WebSocket session is up.
    public var isCloudConnected: Bool { socket?.isConnected == true }

    /// Whether a cloud session exists (logged in): commands can fall back to the cloud.
    public var isLoggedIn: Bool { cloud?.session != nil }
}
