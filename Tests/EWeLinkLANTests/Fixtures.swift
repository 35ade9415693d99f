import EWeLinkLAN
import Foundation

/// Reads files of the package's `Fixtures/` folder.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func json(_ name: String) throws -> JSONValue {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONValue.parse(Array(data))
    }

    static var vectors: JSONValue { get throws { try json("lan-vectors.json") } }
}

extension JSONValue {
    /// Test shorthand: the string at `key`, or "" when absent.
    func s(_ key: String) -> String { self[key]?.stringValue ?? "" }
}
