import ArgumentParser

/// The MQTT bridge's options, declared once for `ewelink serve` (which hands them to `ewelink-hub`
/// as given: `ewelink` links no MQTT library) and `ewelink-hub` (which checks them).
public struct MQTTArguments: ParsableArguments {
    @Option(help: "Bridge to an MQTT broker, mqtt://[user@]host[:port] or mqtts://[user@]host[:port]: device state, commands and Home Assistant discovery (README: MQTT).")
    public var mqtt: String?
    @Option(help: "File holding the MQTT password (mode 0600, owned by you; first line). Never put the password in the URL.")
    public var mqttPasswordFile: String?
    @Option(help: "CA certificates (PEM) to trust for an mqtts:// broker. (default: the system's)")
    public var mqttCaFile: String?
    @Option(help: "First level of the bridge's topics. (default: ewelink)")
    public var mqttPrefix: String?
    @Option(help: "Home Assistant's discovery prefix. (default: homeassistant)")
    public var discoveryPrefix: String?
    @Flag(help: "Publish no Home Assistant discovery configs.")
    public var noDiscovery = false
    @Option(help: "Name devices in topics by their name (made topic-safe) or their id: name or id. (default: name)")
    public var mqttTopic: String?

    public init() {}

    /// The options as they were given, for `ewelink-hub`'s command line.
    public var passThrough: [String] {
        var argv: [String] = []
        for (flag, value) in [("--mqtt", mqtt), ("--mqtt-password-file", mqttPasswordFile), ("--mqtt-ca-file", mqttCaFile),
                              ("--mqtt-prefix", mqttPrefix), ("--discovery-prefix", discoveryPrefix), ("--mqtt-topic", mqttTopic)] {
            if let value { argv += [flag, value] }
        }
        if noDiscovery { argv.append("--no-discovery") }
        return argv
    }
}
