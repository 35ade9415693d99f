import EWeLinkLAN
import Synchronization

/// One REST call the mock cloud answered: what the client sent and what it got back, so tests
/// can hold both sides against the API document's field tables.
public struct MockExchange: Sendable {
    /// `POST /v2/device/thing` (method and path, without the region prefix).
    public var interface: String
    public var query: [(String, String)]
    /// The JSON body, when there was one.
    public var body: JSONValue?
    /// The whole answer (`error`, `msg`, `data`).
    public var response: JSONValue
}

/// Collects one exchange while its handler runs.
final class ExchangeRecorder: Sendable {
    private struct Parts {
        var interface: String?
        var query: [(String, String)] = []
        var body: JSONValue?
        var response: JSONValue?
    }
    private let parts = Mutex(Parts())

    func noteRequest(interface: String, query: [(String, String)], body: JSONValue?) {
        parts.withLock { p in
            p.interface = interface
            p.query = query
            p.body = body
        }
    }

    func noteResponse(_ value: JSONValue) { parts.withLock { $0.response = value } }

    var exchange: MockExchange? {
        parts.withLock { p in
            guard let interface = p.interface, let response = p.response else { return nil }
            return MockExchange(interface: interface, query: p.query, body: p.body, response: response)
        }
    }
}
