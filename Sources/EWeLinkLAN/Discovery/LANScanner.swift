/// Finds eWeLink devices by address, where mDNS does not reach (other VLANs, VPNs): a TCP
/// connect to the LAN port of every host, at most `concurrency` at a time, then an `info`
/// request to each host that accepted: plain first (DIY firmware answers it), then with each
/// known key until one opens it. Never more than one request per host at a time.
public struct LANScanner: Sendable {
    /// A key the scan may try, with the device it belongs to.
    public struct Key: Sendable {
        /// The device the key belongs to.
        public var deviceID: String
        /// The device's key, as the cloud gives it.
        public var devicekey: String
        /// The key `devicekey` of device `deviceID`.
        public init(deviceID: String, devicekey: String) {
            self.deviceID = deviceID
            self.devicekey = devicekey
        }
    }

    /// What one host turned out to be.
    public struct Finding: Sendable, Equatable {
        /// The address that accepted the connection.
        public var host: String
        /// The port scanned.
        public var port: Int
        /// The device id, when the device said it or a stored key opened it.
        public var deviceID: String?
        /// false: DIY firmware (plain JSON).
        public var encrypted: Bool
        /// Whether a known key opened it (always false for DIY devices, which need none).
        public var keyVerified: Bool
        /// The type guessed from the shape of the device's state (nil when nothing could be read).
        public var type: DeviceType?
        /// Outlets in the state (nil when nothing could be read).
        public var channels: Int?
        /// The firmware version from the `info` reply.
        public var fwVersion: String?
        /// The state from the `info` reply, decrypted.
        public var state: JSONObject?
        /// Why the device could not be read (an encrypted device none of the keys opens, or
        /// something else that does not speak the protocol on the port).
        public var problem: String?
    }

    /// The port to scan (8081, the LAN port of eWeLink firmware, by default).
    public var port: Int
    /// How many hosts are connected to at once (1 to 256).
    public var concurrency: Int
    /// How long a host may take to accept the connection before it counts as silent.
    public var connectTimeout: Duration
    /// How long a host that accepted may take to answer `info`.
    public var requestTimeout: Duration

    /// A scanner; `concurrency` is clamped to 1…256.
    public init(port: Int = LANProtocol.port, concurrency: Int = 256, connectTimeout: Duration = .milliseconds(500),
                requestTimeout: Duration = .seconds(2)) {
        self.port = port
        self.concurrency = max(1, min(concurrency, 256))
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
    }

    /// Scans `hosts`; the findings come back in the order of `hosts`.
    public func scan(_ hosts: [String], keys: [Key], client: ZeroconfClient = ZeroconfClient()) async -> [Finding] {
        var found: [(Int, Finding)] = []
        await withTaskGroup(of: (Int, Finding?).self) { group in
            var next = 0
            func launch() {
                let index = next
                let host = hosts[index]
                next += 1
                group.addTask { (index, await probe(host, keys: keys, client: client)) }
            }
            while next < hosts.count && next < concurrency { launch() }
            for await (index, finding) in group {
                if let finding { found.append((index, finding)) }
                if next < hosts.count { launch() }
            }
        }
        return found.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// One host: nil when nothing listens on the port.
    func probe(_ host: String, keys: [Key], client: ZeroconfClient) async -> Finding? {
        guard await ZeroconfClient.isListening(host: host, port: port, timeout: connectTimeout) else { return nil }
        var finding = Finding(host: host, port: port, deviceID: nil, encrypted: true, keyVerified: false)
        // DIY firmware answers a plain request; encrypted firmware refuses it.
        let plain = LANTarget(deviceID: "", host: host, port: port, devicekey: nil)
        do {
            let reply = try await client.check("info", [:], to: plain, timeout: requestTimeout)
            finding.encrypted = false
            learn(reply.state, into: &finding)
            return finding
        } catch {
            switch error {
            case .lanRefused, .lanTimeout, .lanReset, .transport, .replyTooLarge:
                finding.problem = "port \(port) accepted a connection but did not answer: \(error)"
                return finding
            default:
                // An answer, but not to a plain request (an error code, encrypted data, or a
                // firmware that replies to unknown requests with HTML): try the keys.
                break
            }
        }
        for key in keys {
            let target = LANTarget(deviceID: key.deviceID, host: host, port: port, devicekey: key.devicekey)
            // The key opening the reply is not enough: a host replaying the device's announcement
            // can send its data back. The state must name the device the key belongs to.
            guard let reply = try? await client.check("info", [:], to: target, timeout: requestTimeout),
                  ZeroconfClient.identityProblem(reply.state, deviceID: key.deviceID) == nil else { continue }
            finding.deviceID = key.deviceID
            finding.keyVerified = true
            learn(reply.state, into: &finding)
            return finding
        }
        finding.problem = keys.isEmpty
            ? "an encrypted device: its key is needed (from the cloud account, or added by hand)"
            : "an encrypted device none of the \(keys.count) stored keys opens"
        return finding
    }

    private func learn(_ state: JSONObject?, into finding: inout Finding) {
        let learnt = ZeroconfClient.learnt(from: state, encrypted: finding.encrypted)
        finding.state = learnt.state
        if finding.deviceID == nil, let id = state?["deviceid"]?.stringValue, !id.isEmpty { finding.deviceID = id }
        finding.fwVersion = learnt.fwVersion
        finding.type = learnt.type
        finding.channels = learnt.channels
    }
}
