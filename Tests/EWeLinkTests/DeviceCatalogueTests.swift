import EWeLink
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// The catalogue is the one place device facts live: the simulator's profiles are built from it
/// and the client's commands are shaped by it. Every entry is walked through both.
@Suite("Device catalogue: every entry through the simulator and the client")
struct DeviceCatalogueTests {
    /// The channels on/off can address for a kind (light and fan are two for fan_light).
    func powerChannels(_ kind: DeviceKind) -> [Int?] {
        switch kind.power {
        case .outlets: return [nil] + (0..<kind.channels).map { Optional($0) }
        case .fanLight: return [0, 1]
        case .single, .thermostat, .dimmable: return [nil, 0]
        case .none: return []
        }
    }

    @Test("Every simulated entry: profile from the catalogue, on/off per channel, info, readings, unknown endpoints 422")
    func walkSimulated() async throws {
        var options = Simulator.Options()
        options.publishMDNS = false
        let sim = Simulator(fleet: TestFleet.allKinds(), options: options)
        try await sim.start()
        defer { Task { await sim.stop() } }
        let simulated = DeviceCatalogue.entries.filter(\.simulated)
        #expect(sim.devices.count == simulated.count)
        #expect(Set(simulated.map(\.type)) == Set(DeviceProfile.all.keys))
        let client = ZeroconfClient()
        let everyEndpoint = DeviceCatalogue.entries.reduce(into: Set<String>()) { $0.formUnion($1.endpoints) }

        for device in sim.devices {
            let kind = try #require(device.config.type.kind)
            let label = kind.type.rawValue
            #expect(device.config.uiid == kind.cloudUIIDs.first, "\(label) uiid")
            #expect(device.config.model == kind.model, "\(label) model")
            #expect(device.config.channels == kind.channels, "\(label) channels")
            #expect(device.isDIY == !kind.encrypted, "\(label) encryption")
            #expect(kind.type.defaultUIID == kind.uiid)
            let target = LANTarget(deviceID: device.id, host: "127.0.0.1", port: device.snapshot.port,
                                   devicekey: device.config.devicekey)

            for channel in powerChannels(kind) {
                for value in ["on", "off"] {
                    let params = try CommandShape.power(value, channel: channel, type: kind.type, state: nil,
                                                        channels: kind.channels)
                    let endpoint = try #require(CommandShape.endpoint(for: params, type: kind.type))
                    #expect(kind.endpoints.contains(endpoint), "\(label): \(endpoint) is not in its endpoints")
                    let reply = try await client.send(endpoint, params, to: target)
                    #expect(reply.response.error == 0)
                    #expect(CommandShape.isOn(device.snapshot.params, channel: channel) == (value == "on"),
                            "\(label) channel \(String(describing: channel)) \(value)")
                }
            }

            if kind.endpoints.contains("info") {
                let info = try await client.send("info", [:], to: target)
                let state = try #require(info.state, "\(label): info carries the state")
                if kind.power == .outlets { #expect(state["switches"]?.arrayValue?.count == kind.channels) }
                #expect(state["fwVersion"]?.stringValue == device.snapshot.fwVersion)
            }

            // Readings are in the state, and the one-line summary shows each with its unit.
            let summary = StateSummary.describe(device.snapshot.params)
            for field in kind.readings {
                #expect(device.snapshot.params[field.key] != nil, "\(label) reports \(field.key)")
                if DeviceCatalogue.summaryFields.contains(field) { #expect(summary.contains(field.unit), "\(summary)") }
            }

            // Endpoints of other kinds are refused as firmware does (422), and so is one nobody has.
            for endpoint in everyEndpoint.subtracting(kind.endpoints).union(["getState"]) where endpoint != "ota_flash" {
                let reply = try await client.exchange(endpoint, ["x": 1], to: target, timeout: .seconds(5),
                                                      sequence: SequenceGenerator.shared.nextString())
                #expect(reply.response.error == LANErrorCode.invalidParameters.rawValue, "\(label) /\(endpoint)")
            }
        }
    }

    @Test("Entries the simulator does not play: named in the fleet error, refused by on/off when not switchable")
    func walkOthers() throws {
        for kind in DeviceCatalogue.entries where !kind.simulated {
            let doc: JSONValue = ["devices": [["id": "1000abc001", "type": .string(kind.type.rawValue), "port": 0]]]
            #expect(throws: FleetError.self) { try Fleet.parse(doc.serializedBytes, file: "t") }
            #expect(kind.type.isKnown && kind.type.defaultUIID == kind.uiid)
            #expect(DeviceCatalogue.kind(uiid: kind.uiid) != nil)
            if kind.power == .none {
                #expect(throws: ControlError.self) {
                    try CommandShape.power("on", channel: nil, type: kind.type, state: nil, channels: nil)
                }
            } else {
                #expect(try CommandShape.power("on", channel: nil, type: kind.type, state: nil, channels: nil).isEmpty == false)
            }
        }
        // The one place a type and its cloud UIID disagree, on purpose (see the entry's note).
        let pow = try #require(DeviceType.enhancedPlug.kind)
        #expect(pow.uiid == 5 && pow.cloudUIIDs.first == 32)
        #expect(DeviceCatalogue.kind(uiid: 32)?.type == .enhancedPlug)
        #expect(DeviceType(rawValue: "toaster").kind == nil)
    }
}
