import EWeLinkCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a login gives: the tokens, the user's apikey and region. Kept in `$EWELINK_HOME/cloud.json`
/// (0600, atomic); the password is never stored.
public struct CloudSession: Sendable, Equatable {
    /// The access token of bearer calls (a secret: never logged).
    public var at: String
    /// The refresh token that gets a new access token when it expires (a secret: never logged).
    public var rt: String
    /// The user's apikey: the account's id in WebSocket messages.
    public var apikey: String
    /// The region the account lives in; every call goes to its hosts.
    public var region: CloudRegion
    /// The application the tokens were issued to; another app id cannot use them.
    public var appID: String
    /// The email or phone number logged in with, for messages.
    public var account: String
    /// When the login happened, to whole seconds.
    public var loggedInAt: Date

    /// A session as a login or a stored file gives it.
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
    /// The file (`cloud.json` in the store folder), mode 0600.
    public let path: String

    /// The session file of the store folder `directory`.
    public init(directory: String) { path = directory + "/cloud.json" }

    /// The stored session, or nil when there is none. A folder or file that is not the user's own,
    /// or a corrupt file, is an error (the file is left as it is).
    public func load() throws(CloudError) -> CloudSession? {
        // The tokens: read only from a folder and a file of ours.
        let bytes: [UInt8]?
        do {
            bytes = try AtomicFile.checkDirectory(path.pathFolder) ? try AtomicFile.readPrivate(path) : nil
        } catch { throw .tokenStore(error.description) }
        guard let bytes else { return nil }
        guard let o = try? JSONValue.parse(bytes).objectValue, let session = CloudSession(json: o) else {
            throw .tokenStore("\(path) is corrupt; log in again (it was left untouched)")
        }
        return session
    }

    /// Replaces the file atomically, mode 0600 in a folder of mode 0700.
    public func save(_ session: CloudSession) throws(CloudError) {
        do {
            try AtomicFile.ensureDirectory(path.pathFolder)
            try AtomicFile.write(JSONValue.object(session.json).serializedBytes + [0x0A], to: path)
        } catch {
            throw .tokenStore(error.description)
        }
    }

    /// Removes the file (a logout); nothing happens when there is none.
    public func delete() { try? FileManager.default.removeItem(atPath: path) }
}
