import EWeLinkLAN

/// The hub's `/events` answer read as it arrives: the reply head and the chunked body by
/// `HTTPReplyParser`, then Server-Sent Events line by line. Fed bytes, it hands back the data of
/// each device event they complete. What the CLI's `watch` and the benchmark's readers share.
package struct HubEventReader {
    package enum Failure: Error, Sendable, Equatable {
        /// The hub answered, but not with an event stream (its status).
        case notAStream(status: Int)
        /// The stream broke the protocol or a cap.
        case malformed
    }

    /// The longest line of the stream kept while waiting for its end (an event is one JSON line).
    package static let lineLimit = 1024 * 1024

    private var parser = HTTPReplyParser(limits: HTTPReplyParser.Limits(headerBytes: 64 * 1024, bodyBytes: lineLimit))
    private var checkedHead = false
    private var text: [UInt8] = []
    private var event = SSEEvent()

    package init() {}

    /// Whether the hub ended the stream (its last chunk came).
    package var ended: Bool { parser.isComplete }

    /// Takes the next bytes of the connection; returns the data of every event they complete.
    package mutating func feed(_ bytes: [UInt8]) throws(Failure) -> [String] {
        do {
            _ = try parser.feed(bytes)
        } catch {
            throw .malformed
        }
        guard let status = parser.headStatus else { return [] }
        if !checkedHead {
            guard status == 200, parser.isChunked else { throw .notAStream(status: status) }
            checkedHead = true
        }
        text += parser.takeBody()
        var events: [String] = []
        var start = 0
        while let newline = text[start...].firstIndex(of: 10) {
            let line = String(decoding: text[start..<newline], as: UTF8.self)
            start = newline + 1
            if let data = event.take(line) { events.append(data) }
        }
        text.removeFirst(start)
        guard text.count <= Self.lineLimit else { throw .malformed }
        return events
    }
}

/// Server-Sent Events, line by line: the data of each default (unnamed) event.
package struct SSEEvent {
    private var name: String?
    private var data: [String] = []

    package init() {}

    /// Takes one line; returns the data of an event this line completes.
    package mutating func take(_ line: String) -> String? {
        let line = line.hasSuffix("\r") ? String(line.dropLast()) : line
        if line.isEmpty {
            defer { name = nil; data = [] }
            return name == nil && !data.isEmpty ? data.joined(separator: "\n") : nil
        }
        if line.hasPrefix(":") { return nil }
        let field = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        var value = field.count > 1 ? String(field[1]) : ""
        if value.hasPrefix(" ") { value.removeFirst() }
        switch field[0] {
        case "event": name = value
        case "data": data.append(value)
        default: break
        }
        return nil
    }
}
