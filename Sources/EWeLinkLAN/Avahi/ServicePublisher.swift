import CAvahi

/// A service to announce over mDNS.
package struct ServiceDescription: Sendable {
    package var name: String
    package var type: String
    package var port: UInt16
    package var txt: [(key: String, value: String)]
    /// Avahi interface index; nil publishes on every interface the daemon uses.
    package var interfaceIndex: Int32?

    package init(name: String, type: String = LANProtocol.serviceType, port: UInt16, txt: [(key: String, value: String)],
                interfaceIndex: Int32?) {
        self.name = name
        self.type = type
        self.port = port
        self.txt = txt
        self.interfaceIndex = interfaceIndex
    }
}

/// One service published through an Avahi entry group. It can change its TXT, be
/// withdrawn and be announced again (a simulated reboot).
package final class PublishedService: @unchecked Sendable {
    private let connection: AvahiConnection
    private let box: EntryGroupBox
    private var group: OpaquePointer?
    package private(set) var description: ServiceDescription

    /// Creates the entry group and publishes `service`; returns once Avahi reports it
    /// established (probing takes about a second).
    package init(_ service: ServiceDescription, on connection: AvahiConnection) async throws {
        self.connection = connection
        self.description = service
        self.box = EntryGroupBox()
        let box = self.box
        let client = connection.client
        let group: OpaquePointer? = connection.withLock {
            ewelink_avahi_entry_group_new(client, { _, state, userdata in
                guard let userdata else { return }
                Unmanaged<EntryGroupBox>.fromOpaque(userdata).takeUnretainedValue().changed(to: state)
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        guard let group else { throw connection.withLock { connection.lastError("entry group") } }
        self.group = group
        try await announce()
    }

    deinit {
        let group = self.group
        connection.withLock { if let group { ewelink_avahi_entry_group_free(group) } }
    }

    /// (Re-)adds the service with the current description and waits until established.
    package func announce() async throws {
        let service = description
        guard let group else { throw AvahiError.disconnected }
        let connection = self.connection
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, any Error>) in
            let failure: AvahiError? = connection.withLock {
                box.waiters.append(cont)
                if ewelink_avahi_entry_group_is_empty(group) == 0 { ewelink_avahi_entry_group_reset(group) }
                let list = makeStringList(service.txt)
                defer { ewelink_avahi_string_list_free(list) }
                var rc = ewelink_avahi_entry_group_add_service_strlst(
                    group, service.interfaceIndex ?? AvahiIfIndex(AVAHI_IF_UNSPEC), AvahiProtocol(AVAHI_PROTO_INET),
                    AvahiPublishFlags(0), service.name, service.type, nil, nil, service.port, list)
                if rc == 0 { rc = ewelink_avahi_entry_group_commit(group) }
                guard rc != 0 else { return nil }
                box.waiters.removeLast()
                return rc == Int32(AVAHI_ERR_COLLISION) ? .nameCollision(service.name)
                    : AvahiError.from(code: rc, operation: "publish \(service.name)")
            }
            if let failure { cont.resume(throwing: failure) }
        }
    }

    /// Replaces the TXT record of the established service (a re-announcement).
    package func updateTXT(_ txt: [(key: String, value: String)]) throws {
        description.txt = txt
        guard let group else { throw AvahiError.disconnected }
        let service = description
        let rc: Int32 = connection.withLock {
            let list = makeStringList(txt)
            defer { ewelink_avahi_string_list_free(list) }
            return ewelink_avahi_entry_group_update_service_txt_strlst(
                group, service.interfaceIndex ?? AvahiIfIndex(AVAHI_IF_UNSPEC), AvahiProtocol(AVAHI_PROTO_INET),
                AvahiPublishFlags(0), service.name, service.type, nil, list)
        }
        if rc != 0 { throw AvahiError.from(code: rc, operation: "update TXT of \(service.name)") }
    }

    /// Sets the TXT to announce on the next `announce()` without touching the network.
    package func setPendingTXT(_ txt: [(key: String, value: String)]) { description.txt = txt }

    /// Withdraws the service (browsers see it removed).
    package func withdraw() {
        guard let group else { return }
        connection.withLock { _ = ewelink_avahi_entry_group_reset(group) }
    }

    /// Whether the service is currently published.
    package var isEstablished: Bool {
        guard let group else { return false }
        return connection.withLock { ewelink_avahi_entry_group_get_state(group) == Int32(AVAHI_ENTRY_GROUP_ESTABLISHED.rawValue) }
    }
}

/// Receives entry-group state changes on the poll thread. Every `announce()` still waiting is
/// answered when the group settles (a re-announcement before the first was established included).
final class EntryGroupBox: @unchecked Sendable {
    var waiters: [CheckedContinuation<Void, any Error>] = []

    func changed(to state: AvahiEntryGroupState) {
        let outcome: Result<Void, any Error>
        switch state {
        case AVAHI_ENTRY_GROUP_ESTABLISHED: outcome = .success(())
        case AVAHI_ENTRY_GROUP_COLLISION: outcome = .failure(AvahiError.nameCollision("entry group"))
        case AVAHI_ENTRY_GROUP_FAILURE: outcome = .failure(AvahiError.failure(operation: "entry group", message: "failure"))
        default: return
        }
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume(with: outcome) }
    }
}
