import EWeLinkLAN

/// One checked call to an interface served from `MockCloudStore`: its parameters (the JSON body of
/// POST and PUT, the query of GET and DELETE), the caller's account (Bearer calls) and region.
struct MockCall: Sendable {
    var params: JSONObject
    var account: Int?
    var region: String

    /// The caller's account (Bearer calls only).
    func me() throws(MockRefusal) -> Int {
        guard let account else { throw MockRefusal(401, "token invalid") }
        return account
    }

    /// A non-empty string parameter, or the cloud's 400.
    func string(_ key: String) throws(MockRefusal) -> String {
        guard let s = params[key]?.stringValue, !s.isEmpty else { throw MockRefusal(400, "\(key) required") }
        return s
    }

    func optionalString(_ key: String) -> String? {
        params[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An integer parameter (a default when absent), or 400 when present but not an integer.
    func int(_ key: String, default value: Int? = nil) throws(MockRefusal) -> Int {
        guard let raw = params[key] else {
            guard let value else { throw MockRefusal(400, "\(key) required") }
            return value
        }
        guard let i = raw.intValue else { throw MockRefusal(400, "\(key) must be an integer") }
        return i
    }

    func array(_ key: String) throws(MockRefusal) -> [JSONValue] {
        guard let a = params[key]?.arrayValue else { throw MockRefusal(400, "\(key) must be an array") }
        return a
    }

    func object(_ key: String) throws(MockRefusal) -> JSONObject {
        guard let o = params[key]?.objectValue else { throw MockRefusal(400, "\(key) must be an object") }
        return o
    }
}
