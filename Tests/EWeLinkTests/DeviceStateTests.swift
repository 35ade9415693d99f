import EWeLink
import Foundation
import Testing

/// `DeviceState` against real replies (Fixtures/real-captures.json) and the document's shapes
/// (lan-protocol.md §1.5): power per channel and readings typed from the catalogue's rows.
@Suite("Typed device state")
struct DeviceStateTests {
    static func capture(_ id: String) throws -> JSONValue {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/real-captures.json")
        let all = try JSONValue.parse(Array(try Data(contentsOf: url)))
        return try #require(all["plain_captures"]?.arrayValue?.first { $0["id"]?.stringValue == id })
    }

    @Test("A real TX3C strip's TXT params: four channels, outlet 2 on, the device not all on")
    func realStrip() throws {
        let params = try #require(try Self.capture("strip-txt-params-tx3c")["txt_params_decrypted"]?.objectValue)
        let state = DeviceState(parameters: params, type: .strip)
        #expect(state.channels.map(\.index) == [0, 1, 2, 3])
        #expect(state.channels.map(\.isOn) == [false, false, true, false])
        #expect(state.isOn(channel: 2) == true && state.isOn(channel: 0) == false && state.isOn(channel: 7) == nil)
        #expect(state.isOn == false)
        #expect(state.readings.isEmpty)
    }

    @Test("A real Basic R3 info reply: off, firmware 3.7.6, RSSI −54 dBm from signalStrength, whatever the type")
    func realBasicR3() throws {
        let data = try #require(try Self.capture("basicr3-fw376-info")["reply"]?["data"]?.objectValue)
        for type in [DeviceType.diyPlug, nil] {
            let state = DeviceState(parameters: data, type: type)
            #expect(state.isOn == false && state.channels == [.init(index: 0, isOn: false)])
            #expect(state.firmware == "3.7.6")
            #expect(state.rssi == -54)
            #expect(state["pulseWidth"] == 500)
        }
    }

    @Test("POW R2 (strings, as firmware sends them), TH, D1, B05-B (nested white.br/ct), fan light: readings by the catalogue's rows")
    func readings() {
        let pow = DeviceState(parameters: ["switch": "on", "power": "52.31", "voltage": "230.10", "current": "0.23"],
                              type: .enhancedPlug)
        #expect(pow.isOn == true && pow.power == 52.31 && pow.voltage == 230.1 && pow.current == 0.23)
        let th = DeviceState(parameters: ["switch": "off", "mainSwitch": "off", "currentTemperature": "21.5",
                                          "currentHumidity": "48"], type: .thPlug)
        #expect(th.temperature == 21.5 && th.humidity == 48 && th.isOn == false && th.power == nil)
        let d1 = DeviceState(parameters: ["switch": "on", "brightness": 40, "mode": 0], type: .light)
        #expect(d1.brightness == 40 && d1.isOn == true)
        let b05 = DeviceState(parameters: ["switch": "on", "ltype": "white", "white": ["br": 75, "ct": 20]], type: .diylight)
        #expect(b05.brightness == 75 && b05.colorTemperature == 20)
        let fan = DeviceState(parameters: ["light": "on", "fan": "off", "speed": 2], type: .fanLight)
        #expect(fan.channels == [.init(index: 0, isOn: true), .init(index: 1, isOn: false)] && fan.isOn(channel: 1) == false)
        // Unknown kind: every field the catalogue knows is looked for.
        let unknown = DeviceState(parameters: ["switch": "on", "power": 5, "currentTemperature": 19.5, "rssi": -61])
        #expect(unknown.power == 5 && unknown.temperature == 19.5 && unknown.rssi == -61)
        // A reading the kind does not have is not invented from a stray parameter.
        #expect(DeviceState(parameters: ["switch": "on", "power": 5], type: .plug).power == nil)
    }

    @Test("Every reading a catalogue row names is typed from a state that carries it")
    func everyRowReading() {
        for kind in DeviceCatalogue.entries {
            for field in kind.readings {
                var params: JSONObject = [:]
                let parts = field.key.split(separator: ".").map(String.init)
                if parts.count == 2 { params[parts[0]] = .object([parts[1]: 12]) } else { params[field.key] = 12 }
                #expect(DeviceState(parameters: params, type: kind.type).readings[field.reading] == 12, "\(kind.type) \(field.key)")
            }
        }
    }
}
