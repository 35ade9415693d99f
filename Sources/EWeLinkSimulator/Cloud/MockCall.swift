import EWeLinkLAN

/// One checked call to an interface served from `MockCloudStore`: its parameters (the JSON body of
/// POST and PUT, the query of GET and DELETE), the caller's account (Bearer calls) and region.
struct MockCall: Sendable {
    var params: JSONObject
    var account: Int?
    var region: String
    /// Parameters from a JSON body keep their types: a number sent as a string is refused there
    /// (query parameters are all text).
    var typedBody = false

    /// The caller's account (Bearer calls only).
    func me() throws(MockRefusal) -> Int {
        guard let account else { throw MockRefusal(.tokenInvalid, "token invalid") }
        return account
    }

    /// Refuses with the `10004` redirect when the call reached another region's server than
    /// `home` (a region-less base answers for every region).
    func expectRegion(_ home: String) throws(MockRefusal) {
        if !region.isEmpty && home != region {
            throw MockRefusal(.wrongRegion, "redirection", data: ["region": .string(home)])
        }
    }

    /// A non-empty string parameter, or the cloud's 400.
    func string(_ key: String) throws(MockRefusal) -> String {
        guard let s = params[key]?.stringValue, !s.isEmpty else { throw MockRefusal(.parameterError, "\(key) required") }
        return s
    }

    func optionalString(_ key: String) -> String? {
        params[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An integer parameter (a default when absent), or 400 when present but not an integer.
    func int(_ key: String, default value: Int? = nil) throws(MockRefusal) -> Int {
        guard let raw = params[key] else {
            guard let value else { throw MockRefusal(.parameterError, "\(key) required") }
            return value
        }
        let number: Int? = typedBody ? (raw.isNumber ? raw.intValue : nil) : raw.intValue
        guard let i = number else { throw MockRefusal(.parameterError, "\(key) must be an integer") }
        return i
    }

    func array(_ key: String) throws(MockRefusal) -> [JSONValue] {
        guard let a = params[key]?.arrayValue else { throw MockRefusal(.parameterError, "\(key) must be an array") }
        return a
    }

    func object(_ key: String) throws(MockRefusal) -> JSONObject {
        guard let o = params[key]?.objectValue else { throw MockRefusal(.parameterError, "\(key) must be an object") }
        return o
    }
}
