/// How a kind of device is switched on and off.
public enum PowerStyle: Sendable, Equatable {
    /// `{"switch":"on"}` on `/zeroconf/switch`.
    case single
    /// Like `single`, but TH firmware wants `mainSwitch` and `deviceType:"normal"` beside `switch`.
    case thermostat
    /// `{"switches":[{"switch":"on","outlet":N}]}` on `/zeroconf/switches`.
    case outlets
    /// Two independent parts: channel 0 is `light`, channel 1 is `fan`, each on its own endpoint.
    case fanLight
    /// `{"switch":"on"}` on `/zeroconf/dimmable`, with brightness beside it.
    case dimmable
    /// Not switched over the LAN (bridges, RF transmitters, meters controlled through children).
    case none
}

/// What a state field measures or sets, whatever the parameter is called on the wire.
public enum Reading: String, Sendable, CaseIterable {
    /// Active power, watts.
    case power
    /// Mains voltage, volts.
    case voltage
    /// Current, amperes.
    case current
    /// Energy used, kilowatt-hours.
    case energy
    /// Temperature, degrees Celsius.
    case temperature
    /// Relative humidity, percent.
    case humidity
    /// Brightness of a light, percent.
    case brightness
    /// Colour temperature of a white light, in the device's own scale (0 warm … 100 or 255 cold).
    case colorTemperature
    /// Wi-Fi signal strength, dBm.
    case rssi
}

/// A state field worth showing to a person (a measurement or a setting such as brightness): the
/// parameter's path in the state, its unit, and what it means.
public struct StateField: Sendable, Equatable {
    /// The parameter that carries it in the device's state (`power`, `currentTemperature`), or a
    /// dotted path into a nested object (`white.ct`).
    public let key: String
    /// The unit its value is in, as a person reads it (`W`, `°C`, `%RH`).
    public let unit: String
    /// What it measures, for typed state.
    public let reading: Reading

    /// A field at `key` (a dotted path for nested objects) measuring `reading` in `unit`.
    public init(_ key: String, unit: String, reading: Reading) {
        self.key = key
        self.unit = unit
        self.reading = reading
    }

    /// The field's number in `state`, following a dotted path; nil when absent or not a number.
    public func value(in state: JSONObject) -> Double? {
        var parts = key.split(separator: ".").map(String.init)
        let last = parts.removeLast()
        var object = state
        for part in parts {
            guard let inner = object[part]?.objectValue else { return nil }
            object = inner
        }
        if let number = object[last]?.doubleValue { return number }
        // Some firmware reports measurements as strings ("230.51").
        return object[last]?.stringValue.flatMap(Double.init)
    }
}

/// What is known about one TXT `type`: everything the client, the CLI and the simulator need.
public struct DeviceKind: Sendable {
    /// The TXT `type` devices of this kind announce; the catalogue's key.
    public let type: DeviceType
    /// The UIID a LAN-only device of this type maps to (the DIY table of SonoffLAN's
    /// `core/devices.py`), used when no cloud list says otherwise.
    public let uiid: Int
    /// UIIDs the cloud lists for devices that announce this type, most common first. It can
    /// differ from `uiid`: a POW R2 announces `enhanced_plug` and is UIID 32 in the cloud, while
    /// SonoffLAN maps a LAN-only `enhanced_plug` to UIID 5 (the first POW).
    public let cloudUIIDs: [Int]
    /// A typical model (`extra.model` in the cloud list).
    public let model: String
    /// Outlets in the state's `switches` (1 for the single-switch shapes).
    public let channels: Int
    /// How on and off are said to it, which decides the command's parameters and endpoint.
    public let power: PowerStyle
    /// The zeroconf endpoints its firmware answers (others get error 422).
    public let endpoints: Set<String>
    /// Measurements the device pushes as they change (a summary shows them).
    public let readings: [StateField]
    /// DIY-mode firmware speaks plain JSON; eWeLink-mode firmware encrypts.
    public let encrypted: Bool
    /// Whether the project's simulator plays this type.
    public let simulated: Bool
    /// Where the facts come from, or what is odd about them.
    public let note: String
}

/// The one table of device facts. LAN, cloud, CLI and simulator all read it; nothing else
/// defines a device fact. Rows follow `lan-protocol.md` §1.5.
public enum DeviceCatalogue {
    static let common: Set<String> = ["sledonline", "info", "signal_strength"]
    static let singleSwitch: Set<String> = common.union(["switch", "startup", "pulse"])
    static let outletSwitches: Set<String> = common.union(["switches", "startups", "configure", "pulses"])
    static let diyOnly: Set<String> = ["wifi", "ota_unlock", "ota_flash"]

    static let power = StateField("power", unit: "W", reading: .power)
    static let voltage = StateField("voltage", unit: "V", reading: .voltage)
    static let current = StateField("current", unit: "A", reading: .current)
    static let temperature = StateField("currentTemperature", unit: "°C", reading: .temperature)
    static let humidity = StateField("currentHumidity", unit: "%RH", reading: .humidity)
    static let brightness = StateField("brightness", unit: "%", reading: .brightness)
    /// B05-B lights: `{"ltype":"white","white":{"br":…,"ct":…}}` (lan-protocol §1.5).
    static let whiteBrightness = StateField("white.br", unit: "%", reading: .brightness)
    static let whiteTemperature = StateField("white.ct", unit: "", reading: .colorTemperature)
    /// Any device reporting through the cloud carries its signal strength; an `info` reply over
    /// the LAN calls it `signalStrength` (a Basic R3's real reply, Fixtures/real-captures.json).
    static let rssi = StateField("rssi", unit: "dBm", reading: .rssi)
    static let signalStrength = StateField("signalStrength", unit: "dBm", reading: .rssi)

    /// Every device kind the project knows, one row each; adding a row is how a new type is taught.
    public static let entries: [DeviceKind] = [
        DeviceKind(type: .plug, uiid: 1, cloudUIIDs: [1, 6, 14], model: "PSF-BD1-GL", channels: 1, power: .single,
                   endpoints: singleSwitch, readings: [], encrypted: true, simulated: true,
                   note: "BASIC/MINI/S26 in eWeLink mode; getState answers 422 (SonoffLAN#1882)"),
        DeviceKind(type: .diyPlug, uiid: 1, cloudUIIDs: [1], model: "MINIR2", channels: 1, power: .single,
                   endpoints: singleSwitch.union(diyOnly), readings: [], encrypted: false, simulated: true,
                   note: "DIY mode: plain JSON, OTA over LAN (ota_unlock, ota_flash)"),
        DeviceKind(type: .strip, uiid: 4, cloudUIIDs: [4, 2, 3, 7, 8, 9], model: "PSF-B04-GL", channels: 4, power: .outlets,
                   endpoints: outletSwitches, readings: [], encrypted: true, simulated: true,
                   note: "4CH Pro, TX2C/TX3C; a reply or command may carry only the outlets that changed"),
        DeviceKind(type: .switchRadar, uiid: 77, cloudUIIDs: [77], model: "PSF-BFB-GL", channels: 1, power: .outlets,
                   endpoints: outletSwitches, readings: [], encrypted: true, simulated: true,
                   note: "Sonoff Micro: one outlet, still a switches array"),
        DeviceKind(type: .multifunSwitch, uiid: 126, cloudUIIDs: [126], model: "DUALR3", channels: 2, power: .outlets,
                   endpoints: outletSwitches, readings: [], encrypted: true, simulated: true,
                   note: "DualR3; statistics forces a power report (not simulated)"),
        DeviceKind(type: .enhancedPlug, uiid: 5, cloudUIIDs: [32, 5], model: "PSF-B67-GL", channels: 1, power: .single,
                   endpoints: singleSwitch, readings: [power, voltage, current], encrypted: true, simulated: true,
                   note: "POW R2/POWR3 are UIID 32 in the cloud; SonoffLAN maps a LAN-only one to 5 (the first POW)"),
        DeviceKind(type: .thPlug, uiid: 15, cloudUIIDs: [15, 181], model: "PSA-BHA-GL", channels: 1, power: .thermostat,
                   endpoints: singleSwitch, readings: [temperature, humidity], encrypted: true, simulated: true,
                   note: "TH10/16 R2; switch only with mainSwitch and deviceType normal (Homebridge)"),
        DeviceKind(type: .fanLight, uiid: 34, cloudUIIDs: [34], model: "PSF-BFB-GL", channels: 1, power: .fanLight,
                   endpoints: common.union(["light", "fan"]), readings: [], encrypted: true, simulated: true,
                   note: "iFan03/04: state {light, fan, speed}, not switches; channel 0 light, 1 fan"),
        DeviceKind(type: .light, uiid: 44, cloudUIIDs: [44], model: "D1", channels: 1, power: .dimmable,
                   endpoints: common.union(["dimmable"]), readings: [brightness], encrypted: true, simulated: true,
                   note: "D1 dimmer"),
        DeviceKind(type: .diylight, uiid: 104, cloudUIIDs: [104], model: "B05-B", channels: 1, power: .dimmable,
                   endpoints: common.union(["dimmable"]), readings: [whiteBrightness, whiteTemperature], encrypted: true,
                   simulated: false, note: "B05-B RGBCW; announces eWelink_ (lower-case l); colour via ltype"),
        DeviceKind(type: .diyLight, uiid: 136, cloudUIIDs: [136], model: "B02-BL", channels: 1, power: .dimmable,
                   endpoints: common.union(["dimmable"]), readings: [brightness], encrypted: false, simulated: false,
                   note: "B0x-BL in DIY mode"),
        DeviceKind(type: .rf, uiid: 28, cloudUIIDs: [28], model: "RFBridge433", channels: 1, power: .none,
                   endpoints: common.union(["transmit", "capture"]), readings: [], encrypted: true, simulated: false,
                   note: "RF Bridge 433: {cmd:transmit|capture, rfChl:N}; TXT JSON may carry '=' (lan-protocol §2.5)"),
        DeviceKind(type: .meter, uiid: 128, cloudUIIDs: [128], model: "SPM-Main", channels: 4, power: .none,
                   endpoints: common.union(["switches"]), readings: [], encrypted: true, simulated: false,
                   note: "SPM-Main: children switched through the parent (switches with subDevId), power via uiActive"),
        DeviceKind(type: .zigbeeGateway, uiid: 168, cloudUIIDs: [168], model: "ZBBridge-P", channels: 1, power: .none,
                   endpoints: [], readings: [], encrypted: true, simulated: false,
                   note: "children cannot be controlled locally"),
        DeviceKind(type: .zbbridgeu, uiid: 243, cloudUIIDs: [243], model: "ZBBridge-U", channels: 1, power: .none,
                   endpoints: [], readings: [], encrypted: true, simulated: false,
                   note: "no data in TXT; instance name prefix differs"),
    ]

    private static let byType: [DeviceType: DeviceKind] =
        Dictionary(uniqueKeysWithValues: entries.map { ($0.type, $0) })

    /// The entry for a TXT type.
    public static func kind(_ type: DeviceType) -> DeviceKind? { byType[type] }

    /// The entry most likely behind a cloud UIID (first by `uiid`, then by `cloudUIIDs`).
    public static func kind(uiid: Int) -> DeviceKind? {
        entries.first { $0.uiid == uiid } ?? entries.first { $0.cloudUIIDs.contains(uiid) }
    }

    /// Readings a one-line summary shows, in order, whatever the type.
    package static let summaryFields: [StateField] = [brightness, temperature, humidity, power]

    /// Readings any device may report whatever its type (typed state looks for them too).
    public static let commonFields: [StateField] = [rssi, signalStrength]

    /// Command parameters whose endpoint is not named after them.
    package static let endpointForParam: [String: String] = [
        "sledOnline": "sledonline", "brightness": "dimmable", "ltype": "dimmable", "mode": "dimmable",
    ]

    /// What a device probably is, from the shape of its state (an `info` reply or a TXT): for a
    /// device known only by its address. `encrypted` tells the DIY types apart.
    package static func guess(fromState state: JSONObject, encrypted: Bool) -> (kind: DeviceKind, channels: Int)? {
        func entry(_ type: DeviceType) -> DeviceKind? { kind(type) }
        if let outlets = state["switches"]?.arrayValue {
            let count = max(outlets.count, 1)
            // A DualR3 (multifun_switch) looks like a 2-outlet strip from its switches alone.
            let type: DeviceType = count == 1 ? .switchRadar : .strip
            return entry(type).map { ($0, count) }
        }
        if state["light"] != nil && state["fan"] != nil { return entry(.fanLight).map { ($0, $0.channels) } }
        if state["mainSwitch"] != nil || state["currentTemperature"] != nil { return entry(.thPlug).map { ($0, 1) } }
        if state["power"] != nil && state["voltage"] != nil { return entry(.enhancedPlug).map { ($0, 1) } }
        if state["brightness"] != nil || state["ltype"] != nil {
            return entry(encrypted ? .light : .diyLight).map { ($0, 1) }
        }
        if state["switch"] != nil { return entry(encrypted ? .plug : .diyPlug).map { ($0, 1) } }
        return nil
    }
}
