import CAvahi

/// A service as resolved by Avahi: where it is and what its TXT says.
package struct ResolvedService: Sendable, Equatable {
    package var name: String
    package var type: String
    package var domain: String
    package var interfaceIndex: Int32
    package var hostName: String
    /// The IPv4 address, as text.
    package var address: String
    package var port: UInt16
    /// TXT pairs in wire order.
    package var txt: [TXTPair]

    /// The TXT record as a dictionary (a repeated key keeps its first value, as RFC 6763 says).
    package var txtRecords: [String: String] {
        var out: [String: String] = [:]
        for pair in txt where out[pair.key] == nil { out[pair.key] = pair.value }
        return out
    }
}

/// One TXT `key=value` string.
package struct TXTPair: Sendable, Equatable {
    package var key: String
    package var value: String
    package init(key: String, value: String) { self.key = key; self.value = value }
}

/// What a browse reports.
package enum BrowseEvent: Sendable, Equatable {
    /// A service instance was seen; a `.resolved` (or `.resolveFailed`) for it follows.
    case found(name: String, interfaceIndex: Int32)
    /// A service was resolved, or its TXT changed (resolvers are kept alive to follow it).
    case resolved(ResolvedService)
    /// A service went away on one interface.
    case removed(name: String, interfaceIndex: Int32)
    /// A service was seen but could not be resolved.
    case resolveFailed(name: String, reason: String)
    /// The daemon has handed over everything it had cached.
    case cacheExhausted
    /// The daemon has also waited for answers from the network: the list is complete for now.
    case allForNow
    /// The browse failed or the daemon went away; no more events follow.
    case failed(AvahiError)
}

/// Browses a service type through the avahi-daemon and resolves every instance, keeping
/// each resolver alive so TXT changes arrive as new `.resolved` events.
package final class ServiceBrowser: @unchecked Sendable {
    /// Browse results, in the order Avahi reported them.
    package let events: AsyncStream<BrowseEvent>

    private let connection: AvahiConnection
    private let continuation: AsyncStream<BrowseEvent>.Continuation
    private var browser: OpaquePointer?
    // Touched only on the poll thread (callbacks) or under the poll lock.
    private var resolvers: [String: OpaquePointer] = [:]
    private var stopped = false
    /// Avahi's callbacks hold this retained reference: the browser lives until `stop()`, so it can
    /// never be deinitialised on the poll thread in the middle of a callback.
    private var selfReference: Unmanaged<ServiceBrowser>?

    /// Starts browsing `type` on `interfaceIndex` (nil: every interface the daemon uses).
    package init(type: String = LANProtocol.serviceType, interfaceIndex: Int32? = nil, on connection: AvahiConnection) throws {
        self.connection = connection
        (events, continuation) = AsyncStream.makeStream(of: BrowseEvent.self, bufferingPolicy: .unbounded)
        let retained = Unmanaged.passRetained(self)
        selfReference = retained
        let userdata = retained.toOpaque()
        let client = connection.client
        let created: OpaquePointer? = connection.withLock {
            ewelink_avahi_service_browser_new(
                client, interfaceIndex ?? AvahiIfIndex(AVAHI_IF_UNSPEC), AvahiProtocol(AVAHI_PROTO_INET), type, nil,
                AvahiLookupFlags(0),
                { browser, interface, proto, event, name, type, domain, _, userdata in
                    guard let userdata else { return }
                    Unmanaged<ServiceBrowser>.fromOpaque(userdata).takeUnretainedValue()
                        .browserEvent(browser, interface, proto, event, name, type, domain)
                }, userdata)
        }
        guard let created else {
            continuation.finish()
            selfReference = nil
            retained.release()
            throw connection.withLock { connection.lastError("browse \(type)") }
        }
        browser = created
        // Only the stream's continuation is captured: the handler runs on the poll thread and must
        // not keep the browser alive there.
        let sink = continuation
        connection.onFailure {
            sink.yield(.failed(.disconnected))
            sink.finish()
        }
    }

    /// Stops browsing, frees every resolver and ends the event stream. Must be called (it also
    /// releases the browser); never from an Avahi callback.
    package func stop() {
        let reference: Unmanaged<ServiceBrowser>? = connection.withLock {
            guard !stopped else { return nil }
            stopped = true
            for r in resolvers.values { ewelink_avahi_service_resolver_free(r) }
            resolvers.removeAll()
            if let browser { ewelink_avahi_service_browser_free(browser) }
            browser = nil
            defer { selfReference = nil }
            return selfReference
        }
        continuation.finish()
        reference?.release()
    }

    private static func key(_ interface: AvahiIfIndex, _ name: String, _ type: String, _ domain: String) -> String {
        "\(interface)|\(name)|\(type)|\(domain)"
    }

    private func browserEvent(_ browser: OpaquePointer?, _ interface: AvahiIfIndex, _ proto: AvahiProtocol,
                              _ event: AvahiBrowserEvent, _ name: UnsafePointer<CChar>?,
                              _ type: UnsafePointer<CChar>?, _ domain: UnsafePointer<CChar>?) {
        guard !stopped else { return }
        switch event {
        case AVAHI_BROWSER_NEW:
            guard let name, let type, let domain else { return }
            let k = Self.key(interface, String(cString: name), String(cString: type), String(cString: domain))
            guard resolvers[k] == nil else { return }
            let userdata = Unmanaged.passUnretained(self).toOpaque()
            let resolver = ewelink_avahi_service_resolver_new(
                ewelink_avahi_service_browser_get_client(browser), interface, proto, name, type, domain,
                AvahiProtocol(AVAHI_PROTO_INET), AvahiLookupFlags(0),
                { resolver, interface, _, event, name, type, domain, host, address, port, txt, _, userdata in
                    guard let userdata else { return }
                    Unmanaged<ServiceBrowser>.fromOpaque(userdata).takeUnretainedValue()
                        .resolverEvent(resolver, interface, event, name, type, domain, host, address, port, txt)
                }, userdata)
            if let resolver {
                resolvers[k] = resolver
                continuation.yield(.found(name: String(cString: name), interfaceIndex: interface))
            } else {
                continuation.yield(.resolveFailed(name: String(cString: name), reason: "could not start a resolver"))
            }
        case AVAHI_BROWSER_REMOVE:
            guard let name, let type, let domain else { return }
            let n = String(cString: name)
            let k = Self.key(interface, n, String(cString: type), String(cString: domain))
            if let r = resolvers.removeValue(forKey: k) { ewelink_avahi_service_resolver_free(r) }
            continuation.yield(.removed(name: n, interfaceIndex: interface))
        case AVAHI_BROWSER_ALL_FOR_NOW:
            continuation.yield(.allForNow)
        case AVAHI_BROWSER_FAILURE:
            let code = ewelink_avahi_client_errno(ewelink_avahi_service_browser_get_client(browser))
            continuation.yield(.failed(AvahiError.from(code: code, operation: "browse")))
            continuation.finish()
        case AVAHI_BROWSER_CACHE_EXHAUSTED:
            continuation.yield(.cacheExhausted)
        default:
            break
        }
    }

    private func resolverEvent(_ resolver: OpaquePointer?, _ interface: AvahiIfIndex, _ event: AvahiResolverEvent,
                               _ name: UnsafePointer<CChar>?, _ type: UnsafePointer<CChar>?,
                               _ domain: UnsafePointer<CChar>?, _ host: UnsafePointer<CChar>?,
                               _ address: UnsafePointer<AvahiAddress>?, _ port: UInt16,
                               _ txt: UnsafeMutablePointer<AvahiStringList>?) {
        guard !stopped, let name else { return }
        let serviceName = String(cString: name)
        if event != AVAHI_RESOLVER_FOUND {
            // The resolver stays alive: Avahi fires FOUND again when the service reappears.
            let code = ewelink_avahi_client_errno(ewelink_avahi_service_resolver_get_client(resolver))
            let reason = ewelink_avahi_strerror(code).map { String(cString: $0) } ?? "error \(code)"
            continuation.yield(.resolveFailed(name: serviceName, reason: reason))
            return
        }
        var addressText = ""
        if let address {
            var buffer = [CChar](repeating: 0, count: Int(AVAHI_ADDRESS_STR_MAX))
            buffer.withUnsafeMutableBufferPointer { b in _ = ewelink_avahi_address_snprint(b.baseAddress, b.count, address) }
            addressText = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
        let service = ResolvedService(
            name: serviceName, type: type.map { String(cString: $0) } ?? "",
            domain: domain.map { String(cString: $0) } ?? "", interfaceIndex: interface,
            hostName: host.map { String(cString: $0) } ?? "", address: addressText, port: port,
            txt: txtPairs(txt).map { TXTPair(key: $0.0, value: $0.1) })
        continuation.yield(.resolved(service))
    }
}
