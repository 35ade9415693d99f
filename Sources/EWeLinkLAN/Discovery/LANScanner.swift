/// Finds eWeLink devices by address, where mDNS does not reach (other VLANs, VPNs): a TCP
/// connect to the LAN port of every host, at most `concurrency` at a time, then an `info`
/// request to each host that accepted: plain first (DIY firmware answers it), then with each
/// known key until one opens it. Never more than one request per host at a time.
public struct LANScanner: Sendable {
    /// A key the scan may try, with the device it belongs to.
    public struct Key: Sendable {
        public var deviceID: String
        public var devicekey: String
        public init(deviceID: String, devicekey: String) {
            self.deviceID = deviceID
            self.devicekey = devicekey
        }
    }

    /// What one host turned out to be.
    public struct Finding: Sendable, Equatable {
        public var host: String
        public var port: Int
        /// The device id, when the device said it or a stored key opened it.
        public var deviceID: String?
        /// false: DIY firmware (plain JSON).
        public var encrypted: Bool
        /// Whether a known key opened it (always false for DIY devices, which need none).
        public var keyVerified: Bool
        public var type: DeviceType?
        public var channels: Int?
        public var fwVersion: String?
        public var state: JSONObject?
        /// Why the device could not be read (an encrypted device none of the keys opens, or
        /// something else that does not speak the protocol on the port).
        public var problem: String?
    }

    public var port: Int
    public var concurrency: Int
    public var connectTimeout: Duration
    public var requestTimeout: Duration

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
