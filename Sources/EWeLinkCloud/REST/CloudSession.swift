import EWeLinkCore
import Foundation

/// What a login gives: the tokens, the user's apikey and region. Kept in `$EWELINK_HOME/cloud.json`
/// (0600, atomic); the password is never stored.
public struct CloudSession: Sendable, Equatable {
    public var at: String
    public var rt: String
    public var apikey: String
    public var region: CloudRegion
    public var appID: String
    public var account: String
    public var loggedInAt: Date

    public init(at: String, rt: String, apikey: String, region: CloudRegion, appID: String, account: String,
                loggedInAt: Date = Date()) {
        self.at = at
        self.rt = rt
        self.apikey = apikey
        self.region = region
        self.appID = appID
        self.account = account
        // Whole seconds: the file keeps ISO 8601 without fractions.
        self.loggedInAt = Date(timeIntervalSince1970: loggedInAt.timeIntervalSince1970.rounded(.down))
    }

    var json: JSONObject {
        ["at": .string(at), "rt": .string(rt), "apikey": .string(apikey), "region": .string(region.rawValue),
         "appId": .string(appID), "account": .string(account), "loggedInAt": .string(loggedInAt.formatted(.iso8601))]
    }

    init?(json o: JSONObject) {
        guard let at = o["at"]?.stringValue, let rt = o["rt"]?.stringValue, let apikey = o["apikey"]?.stringValue,
              let region = o["region"]?.stringValue.flatMap(CloudRegion.init(rawValue:)),
              let appID = o["appId"]?.stringValue else { return nil }
        self.init(at: at, rt: rt, apikey: apikey, region: region, appID: appID,
                  account: o["account"]?.stringValue ?? "",
                  loggedInAt: o["loggedInAt"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) } ?? Date())
    }
}

/// The session file.
public struct CloudSessionStore: Sendable {
    public let path: String

    public init(directory: String) { path = directory + "/cloud.json" }

    public func load() throws(CloudError) -> CloudSession? {
        // The tokens: read only from a folder and a file of ours.
        let bytes: [UInt8]?
        do {
            bytes = try AtomicFile.checkDirectory((path as NSString).deletingLastPathComponent) ? try AtomicFile.readPrivate(path) : nil
        } catch { throw .tokenStore(error.description) }
        guard let bytes else { return nil }
        guard let o = try? JSONValue.parse(bytes).objectValue, let session = CloudSession(json: o) else {
            throw .tokenStore("\(path) is corrupt; log in again (it was left untouched)")
        }
        return session
    }

    public func save(_ session: CloudSession) throws(CloudError) {
        do {
            try AtomicFile.ensureDirectory((path as NSString).deletingLastPathComponent)
            try AtomicFile.write(JSONValue.object(session.json).serializedBytes + [0x0A], to: path)
        } catch {
            throw .tokenStore(error.description)
        }
    }

    public func delete() { try? FileManager.default.removeItem(atPath: path) }
}
