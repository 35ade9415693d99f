/// How the hub's MQTT bridge reaches its broker and names its topics (`ewelink serve --mqtt`).
public struct MQTTOptions: Sendable, Equatable {
    /// What the device part of a topic is: the device's id, or its name made topic-safe.
    public enum TopicNaming: String, Sendable, CaseIterable {
        /// `ewelink/1000abcdef`.
        case id
        /// `ewelink/Kitchen_lamp` (the id when the device has no name or two names collide).
        case name
    }

    /// The broker's host.
    public var host: String
    /// The broker's port (1883 for mqtt://, 8883 for mqtts:// unless the URL says).
    public var port: Int
    /// TLS (mqtts://).
    public var tls: Bool
    /// The user name, from the URL.
    public var username: String?
    /// The password, from `--mqtt-password-file` (never from the command line).
    public var password: String?
    /// The CA certificates to trust for mqtts:// (the system's when nil).
    public var caFile: String?
    /// The first level of every topic of the bridge (`ewelink`).
    public var prefix = "ewelink"
    /// Home Assistant's discovery prefix (`homeassistant`).
    public var discoveryPrefix = "homeassistant"
    /// Publish Home Assistant discovery configs.
    public var discovery = true
    /// The device part of topics.
    public var topicNaming = TopicNaming.name
    /// Largest `/set` payload handled; longer ones are answered with an error unread.
    public var maxPayloadBytes = 16 * 1024

    /// The options of `url` (`mqtt://[user@]host[:port]` or `mqtts://…`); the reason when it is
    /// not one (a password in it, a path, a port out of range).
    public static func parse(url: String) -> Result<MQTTOptions, MQTTOptionError> {
        let shown = url.count > 80 ? String(url.prefix(80)) + "…" : url
        func bad(_ why: String) -> Result<MQTTOptions, MQTTOptionError> {
            .failure(MQTTOptionError(message: "--mqtt '\(shown)': \(why)"))
        }
        let tls: Bool
        var rest: Substring
        if url.hasPrefix("mqtt://") {
            tls = false
            rest = url.dropFirst("mqtt://".count)
        } else if url.hasPrefix("mqtts://") {
            tls = true
            rest = url.dropFirst("mqtts://".count)
        } else {
            return bad("must be mqtt://[user@]host[:port] or mqtts://[user@]host[:port]")
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#") else {
            return bad("a broker URL has no path, query or fragment")
        }
        var username: String?
        if let at = rest.lastIndex(of: "@") {
            let user = rest[..<at]
            guard !user.contains(":") else {
                // Not echoed: the message would repeat the password.
                return .failure(MQTTOptionError(message: "--mqtt: the password must not be in the URL (it would show in `ps`): put it in a file of mode 0600 and give --mqtt-password-file"))
            }
            guard !user.isEmpty else { return bad("the user name before '@' is empty") }
            username = String(user).removingPercentEncoding ?? String(user)
            rest = rest[rest.index(after: at)...]
        }
        var host = rest
        var port = tls ? 8883 : 1883
        if rest.hasPrefix("[") {
            // [IPv6]:port
            guard let close = rest.firstIndex(of: "]") else { return bad("an IPv6 address needs its closing ']'") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    return bad("the port must be 1...65535")
                }
                port = p
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else {
                return bad("the port must be 1...65535")
            }
            port = p
        }
        guard !host.isEmpty else { return bad("the broker's host is missing") }
        guard host.utf8.count <= 253, host.allSatisfy({ $0.isLetter || $0.isNumber || "-._:".contains($0) }) else {
            return bad("'\(host.prefix(80))' is not a host name or address")
        }
        return .success(MQTTOptions(host: String(host), port: port, tls: tls, username: username))
    }

    /// Why a prefix cannot start topics (empty, wildcards, a leading or trailing '/'), or nil.
    public static func prefixProblem(_ prefix: String) -> String? {
        if prefix.isEmpty { return "must not be empty" }
        if prefix.contains(where: { $0 == "+" || $0 == "#" || $0 == "\u{0}" }) { return "must not hold '+', '#' or NUL" }
        if prefix.hasPrefix("/") || prefix.hasSuffix("/") { return "must not begin or end with '/'" }
        if prefix.utf8.count > 200 { return "is longer than 200 bytes" }
        return nil
    }

    /// A bridge to `host:port`.
    public init(host: String, port: Int, tls: Bool = false, username: String? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
        self.username = username
    }
}

/// A `--mqtt` option that cannot be used, and why.
public struct MQTTOptionError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and what to give instead.
    public var message: String
    public var description: String { message }
}
