import EWeLinkCloud
import EWeLinkLAN

/// The cloud refusing a call: its error code, message and (for a region redirect) data.
struct MockRefusal: Error {
    var code: CloudErrorCode
    var message: String
    var data: JSONObject = [:]

    init(_ code: CloudErrorCode, _ message: String, data: JSONObject = [:]) {
        self.code = code
        self.message = message
        self.data = data
    }
}
