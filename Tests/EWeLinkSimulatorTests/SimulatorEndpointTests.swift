import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// One simulator (HTTP only) shared by the endpoint tests of a suite instance.
func startHTTPOnly(_ kinds: [(type: String, encrypted: Bool)]) async throws -> Simulator {
    var options = Simulator.Options()
    options.publishMDNS = false
    let sim = Simulator(fleet: TestFleet.make(kinds), options: options)
    try await sim.start()
    return sim
}

@Suite("Simulator zeroconf endpoints")
struct SimulatorEndpointTests {
    @Test("Single-channel plug: switch, startup, pulse, sledonline, info, signal_strength; seq bumps on sets")
    func plug() async throws {
        let sim = try await startHTTPOnly([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let c = TestZeroconf(device: d.config, port: d.snapshot.port)
        var (r, s) = try await c.send("switch", ["switch": "on"])
        #expect(r.error == 0 && r.seq == 2 && s == nil)
        #expect(d.snapshot.params["switch"] == "on")
        (r, _) = try await c.send("switch", ["switch": "on"])
        #expect(r.seq == 3, "seq bumps even when nothing changed, as real firmware does")
        (r, _) = try await c.send("startup", ["startup": "stay"])
        #expect(r.error == 0 && d.snapshot.params["startup"] == "stay")
        (r, _) = try await c.send("pulse", ["pulse": "on", "pulseWidth": 2000])
        #expect(r.error == 0 && d.snapshot.params["pulseWidth"] == 2000)
        (r, s) = try await c.send("sledonline", ["sledOnline": "off"])
        #expect(r.error == 0 && r.encryptFlag == true && r.iv != nil)
        #expect(s?["sledOnline"] == "off" && s?["switch"] == "on", "sledonline replies with the full, encrypted state")
        (r, s) = try await c.send("signal_strength", [:])
        #expect(s?["signalStrength"]?.intValue != nil)
        let seqBefore = d.snapshot.seq
        (r, s) = try await c.send("info", [:])
        #expect(s?["deviceid"] == .string(d.id) && s?["fwVersion"] != nil)
        #expect(d.snapshot.seq == seqBefore, "queries do not bump seq")
    }

    @Test("Bad values are 422; unknown or unsupported endpoints are 422", arguments: [
        ("switch", #"{"switch":"maybe"}"#), ("switch", "{}"), ("startup", #"{"startup":"sometimes"}"#),
        ("pulse", #"{"pulse":"on","pulseWidth":750}"#), ("pulse", #"{"pulse":"on","pulseWidth":100}"#),
        ("sledonline", #"{"sledOnline":true}"#), ("switches", #"{"switches":[{"switch":"on","outlet":0}]}"#),
        ("getState", "{}"), ("teleport", "{}"), ("ota_unlock", "{}"),
    ])
    func invalid(endpoint: String, params: String) async throws {
        let sim = try await startHTTPOnly([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let c = TestZeroconf(device: d.config, port: d.snapshot.port)
        let (r, _) = try await c.send(endpoint, try JSONValue.parse(params).objectValue!)
        #expect(r.error == 422)
        #expect(d.snapshot.seq == 1, "a rejected command does not change the state")
    }

    @Test("Strip: switches by outlet (partial arrays), configure/startups, pulses; bad outlets are 422")
    func strip() async throws {
        let sim = try await startHTTPOnly([("strip", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let c = TestZeroconf(device: d.config, port: d.snapshot.port)
        var (r, _) = try await c.send("switches", ["switches": [["switch": "on", "outlet": 2], ["switch": "on", "outlet": 0]]])
        #expect(r.error == 0)
        let outlets = d.snapshot.params["switches"]!.arrayValue!.map { $0["switch"]!.stringValue! }
        #expect(outlets == ["on", "off", "on", "off"])
        (r, _) = try await c.send("configure", ["configure": [["startup": "on", "outlet": 1]]])
        #expect(r.error == 0)
        (r, _) = try await c.send("startups", ["configure": [["startup": "stay", "outlet": 3]]])
        #expect(r.error == 0)
        #expect(d.snapshot.params["configure"]!.arrayValue![1]["startup"] == "on")
        #expect(d.snapshot.params["configure"]!.arrayValue![3]["startup"] == "stay")
        (r, _) = try await c.send("pulses", ["pulses": [["pulse": "on", "width": 1500, "outlet": 1]]])
        #expect(r.error == 0 && d.snapshot.params["pulses"]!.arrayValue![1]["width"] == 1500)
        (r, _) = try await c.send("switches", ["switches": [["switch": "on", "outlet": 4]]])
        #expect(r.error == 422)
        (r, _) = try await c.send("switch", ["switch": "on"])
        #expect(r.error == 422)
    }

    @Test("fan_light: light and fan+speed; light (D1): dimmable")
    func fanAndLight() async throws {
        let sim = try await startHTTPOnly([("fan_light", true), ("light", true)])
        defer { Task { await sim.stop() } }
        let fan = sim.devices[0], light = sim.devices[1]
        let f = TestZeroconf(device: fan.config, port: fan.snapshot.port)
        #expect(try await f.send("light", ["light": "on"]).response.error == 0)
        #expect(try await f.send("fan", ["fan": "on", "speed": 3]).response.error == 0)
        #expect(fan.snapshot.params == ["light": "on", "fan": "on", "speed": 3])
        #expect(try await f.send("fan", ["fan": "on", "speed": 4]).response.error == 422)
        let l = TestZeroconf(device: light.config, port: light.snapshot.port)
        #expect(try await l.send("dimmable", ["switch": "on", "brightness": 80, "mode": 0]).response.error == 0)
        #expect(light.snapshot.params["brightness"] == 80)
        #expect(try await l.send("dimmable", ["brightness": 101]).response.error == 422)
    }

    @Test("TH: switch with mainSwitch and deviceType")
    func th() async throws {
        let sim = try await startHTTPOnly([("th_plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let c = TestZeroconf(device: d.config, port: d.snapshot.port)
        #expect(try await c.send("switch", ["switch": "on", "mainSwitch": "on", "deviceType": "normal"]).response.error == 0)
        #expect(d.snapshot.params["mainSwitch"] == "on" && d.snapshot.params["switch"] == "on")
    }

    @Test("Envelope errors: 400 garbage or wrong key, 401 plain to encrypted, 404 other deviceid")
    func envelopeErrors() async throws {
        let sim = try await startHTTPOnly([("plug", true)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let port = d.snapshot.port
        func post(_ body: String) async throws -> ZeroconfResponse {
            let r = await RawHTTP.post(port: port, path: "/zeroconf/switch", body: Array(body.utf8))
            #expect(r.status == 200, "firmware answers HTTP 200 even for errors")
            return try ZeroconfResponse.parse(r.body ?? [])
        }
        #expect(try await post("not json at all").error == 400)
        #expect(try await post(#"{"deviceid":"\#(d.id)","data":{"switch":"on"}}"#).error == 401)
        let wrongKey = try ZeroconfRequest.encrypted(["switch": "on"], deviceID: d.id, cipher: DeviceCipher(devicekey: "nope"))
        #expect(try await post(String(decoding: wrongKey.body, as: UTF8.self)).error == 400)
        let other = try ZeroconfRequest.encrypted(["switch": "on"], deviceID: "10ffffffff", cipher: DeviceCipher(devicekey: d.config.devicekey!))
        let r404 = try await post(String(decoding: other.body, as: UTF8.self))
        #expect(r404.error == 404 && r404.sequence == other.sequence)
        let badIV = #"{"sequence":"1","deviceid":"\#(d.id)","iv":"MTIz","encrypt":true,"data":"ncCD9dG2ls4pmGtSQAczBQ=="}"#
        #expect(try await post(badIV).error == 400)
        #expect(d.snapshot.seq == 1 && d.snapshot.params["switch"] == "off", "nothing was applied")
        let html = await RawHTTP.request(port: port, method: "GET", path: "/", body: [])
        #expect(html.status == 404)
    }

    @Test("DIY: plain envelopes, data as an object or a JSON string, empty deviceid; encrypted is 400")
    func diy() async throws {
        let sim = try await startHTTPOnly([("diy_plug", false)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let port = d.snapshot.port
        func post(_ endpoint: String, _ body: String) async throws -> ZeroconfResponse {
            let r = await RawHTTP.post(port: port, path: "/zeroconf/\(endpoint)", body: Array(body.utf8))
            return try ZeroconfResponse.parse(r.body ?? [])
        }
        #expect(try await post("switch", #"{"deviceid":"\#(d.id)","data":{"switch":"on"}}"#).error == 0)
        #expect(try await post("switch", #"{"deviceid":"","data":"{\"switch\":\"off\"}"}"#).error == 0)
        #expect(d.snapshot.params["switch"] == "off")
        let info = try await post("info", #"{"deviceid":"","data":{}}"#)
        #expect(info.encryptFlag == nil)
        let state = try #require(try info.state(cipher: nil))
        #expect(state["otaUnlock"] == false && state["deviceid"] == .string(d.id))
        let encrypted = try ZeroconfRequest.encrypted(["switch": "on"], deviceID: d.id, cipher: DeviceCipher(devicekey: "k"))
        #expect(try await post("switch", String(decoding: encrypted.body, as: UTF8.self)).error == 400)
        #expect(try await post("wifi", #"{"data":{"ssid":"home","password":"secret"}}"#).error == 0)
        #expect(try await post("wifi", #"{"data":{"ssid":""}}"#).error == 422)
    }

    @Test("Fleet files with errors are rejected with file, device and field named")
    func fleetErrors() {
        let cases: [(String, String)] = [
            ("{", "not JSON"),
            (#"{"devices":{}}"#, "'devices'"),
            (#"{"devices":[{"type":"plug","port":1}]}"#, "field 'id'"),
            (#"{"devices":[{"id":"1000000001","type":"toaster","port":1}]}"#, "device #0 (1000000001): field 'type'"),
            (#"{"devices":[{"id":"1000000001","type":"plug","port":70000}]}"#, "field 'port'"),
            (#"{"devices":[{"id":"1000000001","type":"plug","port":1},{"id":"1000000001","type":"plug","port":2}]}"#, "duplicate id"),
            (#"{"devices":[{"id":"1000000001","type":"plug","port":1},{"id":"1000000002","type":"plug","port":1}]}"#, "port 1 on 127.0.0.1 is used"),
            (#"{"devices":[{"id":"1000000001","type":"plug","port":1,"host":"10.0.0.1"}]}"#, "field 'host'"),
            (#"{"devices":[{"id":"1000000001","type":"plug","port":1,"devicekey":5}]}"#, "field 'devicekey'"),
            (#"{"devices":[{"id":"1000000001","type":"plug","port":1,"fwVersion":"x"}]}"#, "field 'fwVersion'"),
        ]
        for (text, fragment) in cases {
            do {
                _ = try Fleet.parse(Array(text.utf8), file: "bad.json")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.hasPrefix("bad.json"))
                #expect(error.description.contains(fragment), "\(error.description) should mention \(fragment)")
            }
        }
        #expect(throws: FleetError.self) { try Fleet.load(path: "/nonexistent/fleet.json") }
    }

    @Test("The shipped fleet has every kind the issue asks for")
    func shippedFleet() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/fleet.json").path
        let fleet = try Fleet.load(path: path)
        let types = Set(fleet.devices.map(\.type.rawValue))
        #expect(types.isSuperset(of: ["plug", "strip", "diy_plug", "enhanced_plug", "th_plug", "fan_light", "light"]))
        #expect(fleet.devices.first { $0.type == .strip }?.channels == 4)
        #expect(fleet.devices.first { $0.type == .diyPlug }?.devicekey == nil)
    }
}
