import EWeLinkCloud
import EWeLinkLAN

/// The cloud side of a fleet file: `"cloud": {"appId","appSecret","accounts":[…]}`.
public struct CloudFleet: Sendable {
    /// A home of an account as the fleet sets it up: its name and the devices (own or shared)
    /// placed in it.
    public struct Home: Sendable {
        public var name: String
        public var devices: [String]
    }

    public struct Account: Sendable {
        public var email: String?
        public var phoneNumber: String?
        public var password: String
        public var countryCode: String
        public var region: CloudRegion
        public var apikey: String
        public var nickname: String
        /// Devices shared with this account by their owners.
        public var shared: [String]
        /// Devices this account owns (besides those whose `apikey` is the account's).
        public var devices: [String]
        /// The account's homes (none: one "My Home" made on first use). Devices not placed go to
        /// the first.
        public var homes: [Home] = []
    }

    public var appID: String
    public var appSecret: String
    public var accounts: [Account]
    public var tokenLifetimeSeconds: Int
    /// The heartbeat interval the WebSocket server announces (the real one says 145 s).
    public var hbInterval: Int
    /// `config.hb` of the WebSocket handshake: 0 tells clients not to send heartbeats (the
    /// server then does not cut idle sessions).
    public var heartbeat: Bool

    /// Reads the `cloud` member; errors name the field.
    public static func parse(_ value: JSONValue, file: String) throws(FleetError) -> CloudFleet {
        func bad(_ field: String, _ reason: String) -> FleetError {
            FleetError(file: file, device: nil, field: "cloud.\(field)", reason: reason)
        }
        guard let o = value.objectValue else { throw bad("", "must be an object") }
        guard let appID = o["appId"]?.stringValue, !appID.isEmpty else { throw bad("appId", "required") }
        guard let secret = o["appSecret"]?.stringValue, !secret.isEmpty else { throw bad("appSecret", "required") }
        var accounts: [Account] = []
        for (n, a) in (o["accounts"]?.arrayValue ?? []).enumerated() {
            guard let password = a["password"]?.stringValue else { throw bad("accounts[\(n)].password", "required") }
            guard a["email"]?.stringValue != nil || a["phoneNumber"]?.stringValue != nil else {
                throw bad("accounts[\(n)]", "needs an email or a phoneNumber")
            }
            guard let apikey = a["apikey"]?.stringValue else { throw bad("accounts[\(n)].apikey", "required") }
            let regionName = a["region"]?.stringValue ?? "us"
            guard let region = CloudRegion(rawValue: regionName) else {
                throw bad("accounts[\(n)].region", "must be cn, as, us or eu")
            }
            var homes: [Home] = []
            for (h, home) in (a["homes"]?.arrayValue ?? []).enumerated() {
                guard let name = home["name"]?.stringValue, !name.isEmpty else {
                    throw bad("accounts[\(n)].homes[\(h)].name", "required")
                }
                homes.append(Home(name: name, devices: (home["devices"]?.arrayValue ?? []).compactMap(\.stringValue)))
            }
            accounts.append(Account(email: a["email"]?.stringValue?.lowercased(), phoneNumber: a["phoneNumber"]?.stringValue,
                                    password: password, countryCode: a["countryCode"]?.stringValue ?? "+1",
                                    region: region, apikey: apikey, nickname: a["nickname"]?.stringValue ?? "",
                                    shared: (a["shared"]?.arrayValue ?? []).compactMap(\.stringValue),
                                    devices: (a["devices"]?.arrayValue ?? []).compactMap(\.stringValue), homes: homes))
        }
        return CloudFleet(appID: appID, appSecret: secret, accounts: accounts,
                          tokenLifetimeSeconds: o["tokenLifetimeSeconds"]?.intValue ?? 30 * 24 * 3600,
                          hbInterval: o["hbInterval"]?.intValue ?? 145, heartbeat: o["hb"]?.intValue != 0)
    }
}
