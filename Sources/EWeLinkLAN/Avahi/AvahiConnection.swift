import CAvahi
#if canImport(Glibc)
import Glibc
#endif

/// A connection to the avahi-daemon, driven by an `AvahiThreadedPoll` thread.
///
/// Avahi callbacks run on that thread with the poll lock held; calls from Swift code take
/// the same lock through `withLock` (synchronously: never across an `await`).
public final class AvahiConnection: @unchecked Sendable {
    let poll: OpaquePointer
    let client: OpaquePointer
    private let observer: ClientObserver

    /// Connects to the daemon. Fails at once with `.daemonNotRunning` when there is none.
    public init() throws(AvahiError) {
        // libavahi-client is opened here, on first use (CAvahiLazy), not when the program starts.
        if let why = ewelink_avahi_load_error() {
            throw .failure(operation: "load", message: String(cString: why))
        }
        guard let poll = ewelink_avahi_threaded_poll_new() else {
            throw .failure(operation: "threaded poll", message: "out of memory")
        }
        let observer = ClientObserver()
        var code: Int32 = 0
        // The callback fires synchronously inside avahi_client_new: it only records state.
        let client = ewelink_avahi_client_new(ewelink_avahi_threaded_poll_get(poll), AvahiClientFlags(0), { _, state, userdata in
            guard let userdata else { return }
            Unmanaged<ClientObserver>.fromOpaque(userdata).takeUnretainedValue().changed(to: state)
        }, Unmanaged.passUnretained(observer).toOpaque(), &code)
        guard let client else {
            ewelink_avahi_threaded_poll_free(poll)
            throw AvahiError.from(code: code, operation: "connect")
        }
        self.poll = poll
        self.client = client
        self.observer = observer
        guard ewelink_avahi_threaded_poll_start(poll) == 0 else {
            ewelink_avahi_client_free(client)
            ewelink_avahi_threaded_poll_free(poll)
            throw .failure(operation: "start poll thread", message: "pthread_create failed")
        }
    }

    deinit {
        ewelink_avahi_threaded_poll_stop(poll)
        ewelink_avahi_client_free(client)
        ewelink_avahi_threaded_poll_free(poll)
    }

    /// Runs `body` with the poll lock held. Must not be called from an Avahi callback.
    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        ewelink_avahi_threaded_poll_lock(poll)
        defer { ewelink_avahi_threaded_poll_unlock(poll) }
        return try body()
    }

    /// The daemon's host name (e.g. `ewelink-lo`).
    public var hostName: String {
        withLock { ewelink_avahi_client_get_host_name(client).map { String(cString: $0) } ?? "" }
    }

    /// Whether the daemon connection is up.
    public var isRunning: Bool { withLock { observer.state == AVAHI_CLIENT_S_RUNNING } }

    /// Registers a handler called (on the poll thread) when the daemon goes away.
    func onFailure(_ handler: @escaping () -> Void) {
        withLock { observer.failureHandlers.append(handler) }
    }

    /// The interface index Avahi uses for a named interface (`lo`, `eth0`, …).
    public static func interfaceIndex(named name: String) throws(AvahiError) -> Int32 {
        let index = if_nametoindex(name)
        guard index > 0 else { throw .unknownInterface(name) }
        return Int32(index)
    }

    /// The local last error of the client, as a typed error.
    func lastError(_ operation: String) -> AvahiError {
        AvahiError.from(code: ewelink_avahi_client_errno(client), operation: operation)
    }
}

/// Client state as reported by callbacks; touched only on the poll thread or under the lock.
final class ClientObserver: @unchecked Sendable {
    var state = AVAHI_CLIENT_CONNECTING
    var failureHandlers: [() -> Void] = []

    func changed(to newState: AvahiClientState) {
        state = newState
        if newState == AVAHI_CLIENT_FAILURE { for h in failureHandlers { h() } }
    }
}

/// Copies an Avahi string list into key/value pairs (in wire order).
func txtPairs(_ list: UnsafeMutablePointer<AvahiStringList>?) -> [(String, String)] {
    var out: [(String, String)] = []
    var node = list
    while let current = node {
        if let text = ewelink_avahi_string_list_get_text(current) {
            let size = Int(ewelink_avahi_string_list_get_size(current))
            let bytes = UnsafeBufferPointer(start: text, count: size)
            if let eq = bytes.firstIndex(of: UInt8(ascii: "=")) {
                out.append((String(decoding: bytes[..<eq], as: UTF8.self),
                            String(decoding: bytes[(eq + 1)...], as: UTF8.self)))
            } else {
                out.append((String(decoding: bytes, as: UTF8.self), ""))
            }
        }
        node = ewelink_avahi_string_list_get_next(current)
    }
    // Through the daemon's D-Bus API the list arrives in wire order (checked against
    // python-zeroconf publishing and avahi-publish).
    return out
}

/// Builds an Avahi string list in publish order; the caller frees it with `avahi_string_list_free`.
func makeStringList(_ pairs: [(key: String, value: String)]) -> UnsafeMutablePointer<AvahiStringList>? {
    var list: UnsafeMutablePointer<AvahiStringList>? = nil
    // Verified with python-zeroconf on the wire: adding in publish order gives publish order.
    for (k, v) in pairs {
        list = ewelink_avahi_string_list_add(list, "\(k)=\(v)")
    }
    return list
}
