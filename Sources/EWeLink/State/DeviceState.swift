import EWeLinkLAN

/// A device's state, typed: power per channel, the readings its kind reports (power, voltage,
/// temperature, brightness, …) and its firmware, with the raw parameters for everything else.
///
/// Which readings a device has comes from its row in `DeviceCatalogue` (`DeviceKind.readings`),
/// so a new kind of device gets typed state by adding its row. A state of unknown kind still
/// yields its power and any reading whose parameter is present.
///
/// ```swift
/// let result = try await client.turnOn("kitchen")
/// if result.state?.isOn == true, let watts = result.state?.power { print("\(watts) W") }
/// ```
public struct DeviceState: Sendable, Equatable {
    /// The parameters as the device (or the cloud) reported them.
    public var parameters: JSONObject
    /// The device's kind when known; it decides which readings are looked for.
    public var type: DeviceType?

    /// A typed view of `parameters`; `type` (when known) chooses the readings.
    public init(parameters: JSONObject, type: DeviceType? = nil) {
        self.parameters = parameters
        self.type = type
    }

    /// One raw parameter (`state["pulse"]`).
    public subscript(key: String) -> JSONValue? { parameters[key] }

    // MARK: Power

    /// Whether the device is on: the single switch, or every outlet of a multi-channel device,
    /// or the light of a fan light. Nil when the state does not say.
    public var isOn: Bool? { CommandShape.isOn(parameters, channel: nil) }

    /// Whether one channel is on (outlets from 0; a fan light's 0 is the light, 1 the fan). Nil
    /// when the state does not have that channel.
    public func isOn(channel: Int) -> Bool? { CommandShape.isOn(parameters, channel: channel) }

    /// Every channel the state reports, in order, with whether it is on.
    public var channels: [Channel] {
        if parameters["light"] != nil && parameters["fan"] != nil {
            return [0, 1].compactMap { c in isOn(channel: c).map { Channel(index: c, isOn: $0) } }
        }
        if let outlets = parameters["switches"]?.arrayValue {
            return outlets.compactMap { o -> Channel? in
                guard let index = o["outlet"]?.intValue, let value = o["switch"]?.stringValue else { return nil }
                return Channel(index: index, isOn: value == "on")
            }.sorted { $0.index < $1.index }
        }
        return parameters["switch"]?.stringValue.map { [Channel(index: 0, isOn: $0 == "on")] } ?? []
    }

    /// One switchable part of a device: an outlet, or a fan light's light (0) or fan (1).
    public struct Channel: Sendable, Equatable {
        /// The channel's number, from 0 (the `outlet` of multi-channel devices).
        public var index: Int
        /// Whether it is on.
        public var isOn: Bool

        /// Channel `index`, on or off.
        public init(index: Int, isOn: Bool) {
            self.index = index
            self.isOn = isOn
        }
    }

    // MARK: Readings

    /// The readings the state carries, by what they measure: the fields of the device's kind
    /// (`DeviceKind.readings`), else every known field whose parameter is present.
    public var readings: [Reading: Double] {
        var found: [Reading: Double] = [:]
        for field in fields {
            guard found[field.reading] == nil, let value = field.value(in: parameters) else { continue }
            found[field.reading] = value
        }
        return found
    }

    /// Active power, watts.
    public var power: Double? { readings[.power] }
    /// Mains voltage, volts.
    public var voltage: Double? { readings[.voltage] }
    /// Current, amperes.
    public var current: Double? { readings[.current] }
    /// Energy used, kilowatt-hours (where the kind reports it).
    public var energy: Double? { readings[.energy] }
    /// Temperature, °C.
    public var temperature: Double? { readings[.temperature] }
    /// Relative humidity, %.
    public var humidity: Double? { readings[.humidity] }
    /// Brightness of a light, %.
    public var brightness: Double? { readings[.brightness] }
    /// Colour temperature of a white light, in the device's own scale.
    public var colorTemperature: Double? { readings[.colorTemperature] }
    /// Wi-Fi signal strength, dBm (the cloud reports it).
    public var rssi: Double? { readings[.rssi] }
    /// The firmware version the device reports (`fwVersion`), when the state carries it.
    public var firmware: String? { parameters["fwVersion"]?.stringValue }

    /// The fields looked for: the kind's own, then those every device may have; for a state of
    /// unknown kind, every field the catalogue knows.
    private var fields: [StateField] {
        if let kind = type?.kind { return kind.readings + DeviceCatalogue.commonFields }
        return Self.everyField
    }

    private static let everyField: [StateField] = {
        var seen: Set<String> = []
        return (DeviceCatalogue.entries.flatMap(\.readings) + DeviceCatalogue.commonFields).filter { seen.insert($0.key).inserted }
    }()

    /// One human line: "on", "on off on off", "light on, fan off (speed 1)", with the readings.
    public var summary: String { StateSummary.describe(parameters) }
}
