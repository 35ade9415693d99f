import EWeLink
import Logging

/// Every log line of the hub written through `TerminalText.escaped`: the message, each metadata
/// key and value, and an error's text. Much of what the hub logs comes from the network (TXT
/// records, request paths and queries, device and cloud replies); escaping it here, in the one
/// handler every logger of the process uses, means no call site can forget, so nothing a
/// neighbour announces can move the user's cursor, retitle the terminal or forge a log line.
public struct EscapingLogHandler: LogHandler {
    private var inner: any LogHandler
    /// Kept here rather than in `inner`, so what it provides is escaped too.
    public var metadataProvider: Logger.MetadataProvider?

    /// Wraps `inner`, which writes the escaped lines.
    public init(_ inner: any LogHandler) {
        self.inner = inner
        metadataProvider = inner.metadataProvider
        self.inner.metadataProvider = nil
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = Self.escaped(newValue) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: TerminalText.escaped(key)] = newValue.map(Self.escaped) }
    }

    public func log(event: LogEvent) {
        var event = event
        var metadata = metadataProvider?.get() ?? [:]
        metadata.merge(event.metadata ?? [:]) { _, explicit in explicit }
        if let error = event.error {
            metadata["error.message"] = "\(error)"
            metadata["error.type"] = "\(String(reflecting: type(of: error)))"
            event.error = nil
        }
        event.metadata = metadata.isEmpty ? nil : Self.escaped(metadata)
        event.message = "\(TerminalText.escaped(event.message.description))"
        inner.log(event: event)
    }

    static func escaped(_ metadata: Logger.Metadata) -> Logger.Metadata {
        Dictionary(metadata.map { (TerminalText.escaped($0.key), escaped($0.value)) }, uniquingKeysWith: { a, _ in a })
    }

    static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let s): return .string(TerminalText.escaped(s))
        case .stringConvertible(let c): return .string(TerminalText.escaped(c.description))
        case .dictionary(let d): return .dictionary(escaped(d))
        case .array(let a): return .array(a.map(escaped))
        }
    }
}
