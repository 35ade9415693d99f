import EWeLinkLAN
import Synchronization

/// Follows `_ewelink._tcp` through the avahi-daemon and keeps the latest record per
/// service name, so tests can poll for what they expect.
public final class MDNSWatcher: Sendable {
    public struct Seen: Sendable {
        package var service: ResolvedService
        package var announcement: TXTAnnouncement?
        public var removed: Bool
        public var resolveCount: Int
    }

    private let browser: ServiceBrowser
    private let seen = Mutex<[String: Seen]>([:])

    public init() throws {
        let connection = try AvahiConnection()
        browser = try ServiceBrowser(interfaceIndex: try AvahiConnection.interfaceIndex(named: "lo"), on: connection)
        startConsuming(browser.events)
    }

    private func startConsuming(_ events: AsyncStream<BrowseEvent>) {
        Task { [weak self] in
            for await event in events {
                guard let self else { return }
                self.record(event)
            }
        }
    }

    private func record(_ event: BrowseEvent) {
        seen.withLock { s in
            switch event {
            case .resolved(let service):
                let count = (s[service.name]?.resolveCount ?? 0) + 1
                s[service.name] = Seen(service: service, announcement: try? TXTAnnouncement(records: service.txtRecords),
                                       removed: false, resolveCount: count)
            case .removed(let name, _):
                s[name]?.removed = true
            default:
                break
            }
        }
    }

    public func latest(_ name: String) -> Seen? { seen.withLock { $0[name] } }

    deinit { browser.stop() }

    public func stop() {
        browser.stop()
    }
}
