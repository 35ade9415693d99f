import Foundation

/// Which `Host` a TCP request may name. DNS rebinding needs a name the attacker controls that
/// resolves to the hub; an address can never be rebound, so IP literals pass (with any port), as
/// do `localhost`, the name the hub listens on, and the names the user allowed (`--allowed-host`).
struct HostCheck: Sendable {
    let names: Set<String>

    init(listenHost: String, allowed: [String]) {
        names = Set(([listenHost, "localhost"] + allowed).map(Self.normalized))
    }

    /// Whether `authority` (`host[:port]`, as the `Host` header gives it) may reach the hub.
    func allows(_ authority: String?) -> Bool {
        guard let authority, !authority.isEmpty else { return false }
        let host = Self.host(of: authority)
        return Self.isAddress(host) || names.contains(Self.normalized(host))
    }

    /// The host of `host[:port]` or `[v6]:port`.
    static func host(of authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<end])
        }
        if authority.filter({ $0 == ":" }).count == 1, let colon = authority.firstIndex(of: ":") {
            return String(authority[..<colon])
        }
        return authority
    }

    static func isAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    static func normalized(_ name: String) -> String {
        var n = name.lowercased()
        if n.hasSuffix(".") { n.removeLast() }
        return n
    }
}
