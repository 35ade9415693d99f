import EWeLink
import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation

/// A fleet of `count` plugs at 3.5.0 offered 3.6.1 (or an update that does not take), plus one DIY
/// plug, with one cloud account owning the plugs; a synced store with their LAN addresses.
public struct OTAFleet: Sendable {
    public let sim: Simulator
    public let client: CloudClient
    public let store: DeviceStore
    public let owner: String

    public static func start(count: Int = 1, updateFails: Bool = false) async throws -> OTAFleet {
        let owner = UUID().uuidString.lowercased()
        let secret = "s-" + UUID().uuidString
        var ids: [JSONValue] = []
        var devices: [JSONValue] = []
        for _ in 0..<count {
            let id = TestFleet.freshID()
            ids.append(.string(id))
            var offer: JSONObject = ["version": "3.6.1", "binList": [["name": "user1.bin", "downloadUrl": "http://127.0.0.1:1/user1.bin",
                                                                      "digest": .string(String(repeating: "a", count: 64))]]]
            if updateFails { offer["fails"] = true }
            devices.append(["id": .string(id), "type": "plug", "port": 0, "devicekey": .string(UUID().uuidString.lowercased()),
                            "fwVersion": "3.5.0", "model": "PSF-BD1-GL", "otaAvailable": .object(offer)])
        }
        devices.append(["id": .string(TestFleet.freshID()), "type": "diy_plug", "port": 0, "devicekey": .null, "fwVersion": "3.6.0"])
        let doc: JSONValue = [
            "devices": .array(devices),
            "cloud": ["appId": "ota-app", "appSecret": .string(secret),
                      "accounts": [["email": "o@example.com", "password": "pw", "region": "us", "apikey": .string(owner),
                                    "devices": .array(ids)]]],
        ]
        let sim = try await Simulator.startedWithCloud(try Fleet.parse(doc.serializedBytes, file: "ota"))
        let c = CloudClient(credentials: CloudCredentials(appID: "ota-app", appSecret: secret),
                            endpoints: CloudEndpoints(override: sim.cloud!.baseURL), limiter: CloudRateLimiter())
        _ = try await c.login(email: "o@example.com", password: "pw", countryCode: "+1")
        let store = DeviceStore(directory: temporaryHome())
        _ = try await KeySync.sync(client: c, store: store)
        try store.update { list in
            for device in sim.devices where device.config.type == .diyPlug {
                list.append(StoredDevice(id: device.id, type: .diyPlug))
            }
            for i in list.indices {
                list[i].host = "127.0.0.1"
                list[i].port = sim.device(list[i].id)!.snapshot.port
                list[i].addressVerified = true
            }
        }
        return OTAFleet(sim: sim, client: c, store: store, owner: owner)
    }

    public var diy: SimulatedDevice { sim.devices.last! }
    public func stored(_ id: String) throws -> StoredDevice { try store.load().first { $0.id == id }! }
}
