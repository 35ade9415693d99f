import EWeLinkCore
import NIOHTTP1

extension CloudClient {
    /// One call to an interface of the table: its method, path and authorisation. GET and DELETE
    /// parameters travel in the query, the others in a JSON body.
    @discardableResult
    package func call(_ api: CloudAPI, query: [(String, String)] = [], body: JSONObject? = nil,
                     region: CloudRegion? = nil) async throws(CloudError) -> JSONValue {
        try await call(HTTPMethod(rawValue: api.method), api.path, query: query, body: body, auth: api.auth,
                       region: region)
    }

    /// Takes the tokens of a login-like answer (`{user, at, rt, region}`) as the session.
    func adoptSession(_ data: JSONValue, api: CloudAPI, account: String, region: CloudRegion) throws(CloudError)
        -> CloudSession {
        guard let at = data["at"]?.stringValue, let rt = data["rt"]?.stringValue,
              let apikey = data["user"]?["apikey"]?.stringValue else {
            throw .invalidResponse(path: api.path, reason: "no at/rt/user.apikey")
        }
        let actual = data["region"]?.stringValue.flatMap(CloudRegion.init(rawValue:)) ?? region
        let session = CloudSession(at: at, rt: rt, apikey: apikey, region: actual, appID: credentials.appID,
                                   account: account)
        state.withLock { $0 = session }
        try sessionStore?.save(session)
        return session
    }

    /// Forgets the session, in memory and on disk.
    func dropSession() {
        state.withLock { $0 = nil }
        sessionStore?.delete()
    }

    /// A parameter check done before calling, reported like the cloud's own 400.
    static func invalid(_ api: CloudAPI, _ reason: String) -> CloudError {
        .api(code: CloudErrorCode.parameterError.rawValue, message: reason, path: api.path)
    }
}
