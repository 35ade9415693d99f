import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation

/// Fleets with ids and keys unique to one test run, on free ports, so parallel tests and a
/// running demo never collide on mDNS names or ports.
public enum TestFleet {
    /// A 10-character hex device id no other run uses.
    public static func freshID() -> String {
        "10" + String(format: "%08x", UInt32.random(in: 0...UInt32.max))
    }

    /// One device of each kind the catalogue marks as simulated, encrypted as its firmware is.
    public static func allKinds(readingsIntervalMs: Int = 60_000) -> Fleet {
        make(DeviceCatalogue.entries.filter(\.simulated).map { ($0.type.rawValue, $0.encrypted) },
             readingsIntervalMs: readingsIntervalMs)
    }

    public static func make(_ kinds: [(type: String, encrypted: Bool)], readingsIntervalMs: Int = 60_000) -> Fleet {
        var devices: [JSONValue] = []
        for (n, kind) in kinds.enumerated() {
            var d: JSONObject = ["id": .string(freshID()), "name": .string("Test \(kind.type) \(n)"),
                                 "type": .string(kind.type), "port": 0, "readingsIntervalMs": .int(readingsIntervalMs)]
            d["devicekey"] = kind.encrypted ? .string(UUID().uuidString.lowercased()) : .null
            devices.append(.object(d))
        }
        let doc: JSONValue = ["devices": .array(devices)]
        return try! Fleet.parse(doc.serializedBytes, file: "test-fleet")
    }
}

/// A zeroconf client for tests, over raw HTTP.
public struct TestZeroconf {
    public let device: DeviceConfig
    public let port: Int

    public init(device: DeviceConfig, port: Int) {
        self.device = device
        self.port = port
    }

    public var cipher: DeviceCipher? { device.devicekey.map { DeviceCipher(devicekey: $0) } }

    /// Sends `params` to `endpoint`, encrypted when the device has a key.
    package func send(_ endpoint: String, _ params: JSONObject, timeout: Double = 5) async throws
        -> (response: ZeroconfResponse, state: JSONObject?) {
        let request = try cipher.map { try ZeroconfRequest.encrypted(params, deviceID: device.id, cipher: $0) }
            ?? ZeroconfRequest.plain(params, deviceID: device.id)
        let result = await RawHTTP.post(port: port, path: "/zeroconf/\(endpoint)", body: request.body, timeout: timeout)
        guard case .response(let status, _, let body) = result, status == 200 else {
            throw TestFailure("\(endpoint): \(result)")
        }
        let response = try ZeroconfResponse.parse(body)
        if let s = response.sequence, s != request.sequence { throw TestFailure("sequence not echoed") }
        return (response, try response.state(cipher: cipher))
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Waits until `condition` holds, polling; throws after `timeout`.
public func eventually(timeout: Duration = .seconds(10), _ what: String = "condition",
                       _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestFailure("timed out waiting for \(what)")
}

/// A fleet with a mock cloud: one account in `eu` owning every device, and a guest in `us`
/// the first device is shared with.
public struct CloudTestFleet: Sendable {
    public let fleet: Fleet
    public let appID = "testAppId" + String(UInt32.random(in: 0...UInt32.max))
    public let appSecret = "testSecret-" + UUID().uuidString
    public let ownerEmail = "owner@example.com"
    public let ownerPassword = "owner-" + UUID().uuidString
    public let guestEmail = "guest@example.com"
    public let guestPassword = "guest-" + UUID().uuidString

    public init(_ kinds: [(type: String, encrypted: Bool)], tokenLifetimeSeconds: Int = 3600, hbInterval: Int = 145,
                heartbeat: Bool = true) {
        let ownerKey = UUID().uuidString.lowercased()
        var devices: [JSONValue] = []
        for (n, kind) in kinds.enumerated() {
            var d: JSONObject = ["id": .string(TestFleet.freshID()), "name": .string("Cloud \(kind.type) \(n)"),
                                 "type": .string(kind.type), "port": 0, "apikey": .string(ownerKey)]
            d["devicekey"] = kind.encrypted ? .string(UUID().uuidString.lowercased()) : .null
            devices.append(.object(d))
        }
        let first = devices.first?["id"] ?? .null
        let cloud: JSONValue = [
            "appId": .string(appID), "appSecret": .string(appSecret), "tokenLifetimeSeconds": .int(tokenLifetimeSeconds),
            "hbInterval": .int(hbInterval), "hb": heartbeat ? 1 : 0,
            "accounts": [
                ["email": .string(ownerEmail), "password": .string(ownerPassword), "countryCode": "+49", "region": "eu",
                 "apikey": .string(ownerKey)],
                ["email": .string(guestEmail), "password": .string(guestPassword), "countryCode": "+1", "region": "us",
                 "apikey": .string(UUID().uuidString.lowercased()), "shared": .array(first == .null ? [] : [first])],
            ],
        ]
        let doc: JSONValue = ["devices": .array(devices), "cloud": cloud]
        fleet = try! Fleet.parse(doc.serializedBytes, file: "cloud-test-fleet")
    }
}

extension CloudTestFleet {
    /// The simulator of this fleet with its mock cloud on a free port (HTTP only unless `mdns`).
    public func startSimulator(mdns: Bool = false) async throws -> Simulator {
        try await Simulator.startedWithCloud(fleet, mdns: mdns)
    }

    /// A fresh EWELINK_HOME logged in to this fleet's mock cloud through the CLI as the owner and
    /// synced, with `device`'s LAN address added when given; the environment of later runs.
    public func cliLoggedIn(_ sim: Simulator, addressOf device: SimulatedDevice? = nil) async throws -> [String: String] {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ewelink-cli-\(UUID().uuidString)").path
        let env = environment(sim, home: home)
        var steps: [([String], String?)] = [(["login", "--email", ownerEmail, "--country-code", "+49", "--password-stdin"],
                                             ownerPassword + "\n"), (["sync"], nil)]
        if let device { steps.append((["devices", "add", device.id, "--host", "127.0.0.1:\(device.snapshot.port)"], nil)) }
        for (arguments, stdin) in steps {
            let r = try await CommandRunner.run("ewelink", arguments, environment: env, stdin: stdin)
            guard r.status == 0 else { throw TestFailure("ewelink \(arguments[0]) exited \(r.status): \(r.stderr)") }
        }
        return env
    }

    /// The environment of a CLI run against this fleet's mock cloud.
    public func environment(_ sim: Simulator, home: String) -> [String: String] {
        ["EWELINK_HOME": home, "EWELINK_APP_ID": appID, "EWELINK_APP_SECRET": appSecret,
         "EWELINK_API_URL": sim.cloud!.baseURL]
    }
}

extension CloudSocket {
    /// A session started and connected, for tests (stop it when done).
    public static func connected(_ client: CloudClient) async throws -> CloudSocket {
        let socket = CloudSocket(client: client)
        socket.start()
        try await socket.waitUntilConnected()
        return socket
    }
}
