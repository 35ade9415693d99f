/// A JSON value that keeps the order of object keys.
///
/// Devices and the cloud care about exact bytes in places (signatures, the
/// "first key names the endpoint" rule, faithful replies), and Foundation's
/// JSON types neither keep key order nor are `Sendable`.
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without a fraction or exponent.
    case int(Int)
    /// A number with a fraction or exponent, or too large for `Int`.
    case double(Double)
    /// A string, unescaped.
    case string(String)
    /// An array, in order.
    case array([JSONValue])
    /// An object, its keys in the order they were written.
    case object(JSONObject)
}

/// An ordered JSON object. Objects on this protocol hold a handful of keys, so
/// lookups scan a small array.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// The members in order; each key appears once.
    public private(set) var entries: [(key: String, value: JSONValue)]

    /// An empty object, `{}`.
    public init() { entries = [] }
    /// An object of these members in this order; a repeated key keeps its first place and its
    /// last value.
    public init(_ entries: [(String, JSONValue)]) {
        self.entries = []
        for (k, v) in entries { self[k] = v }
    }
    /// `["switch": "on"]`, keeping the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }

    /// The keys in order (the first one names a command's endpoint).
    public var keys: [String] { entries.map(\.key) }
    /// How many members it has.
    public var count: Int { entries.count }
    /// Whether it has no members.
    public var isEmpty: Bool { entries.isEmpty }

    /// The value of `key`; setting a new key appends it, setting an existing one keeps its place,
    /// setting `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// Later keys of `other` overwrite ours in place; new keys are appended.
    public mutating func merge(_ other: JSONObject) {
        for (k, v) in other.entries { self[k] = v }
    }

    /// The members in order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> { entries.makeIterator() }

    /// Equal members whatever their order: `{"a":1,"b":2}` equals `{"b":2,"a":1}`.
    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        guard a.count == b.count else { return false }
        for (k, v) in a.entries where b[k] != v { return false }
        return true
    }
    /// Hashes the members sorted by key, so objects equal under `==` hash alike.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for (k, v) in entries.sorted(by: { $0.key < $1.key }) { hasher.combine(k); hasher.combine(v) }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral, ExpressibleByNilLiteral
{
    /// `"on"` is `.string("on")`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `2000` is `.int(2000)`.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// `true` is `.bool(true)`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `21.5` is `.double(21.5)`.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// `nil` is `.null`.
    public init(nilLiteral: ()) { self = .null }
    /// `[1, "a"]` is `.array([.int(1), .string("a")])`.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// `["switch": "on"]` is an `.object`, keeping the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}

extension JSONValue {
    /// The object, or nil for any other value.
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    /// The array, or nil for any other value.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    /// The string, or nil for any other value (a number is not converted).
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    /// The boolean, or nil for any other value (`"on"` is not converted).
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    /// A JSON number (not a string holding one).
    public var isNumber: Bool {
        switch self {
        case .int, .double: return true
        default: return false
        }
    }
    /// Integers, integral doubles and decimal strings (firmware mixes them).
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return Int(d)
        case .string(let s): return Int(s)
        default: return nil
        }
    }
    /// Any number, or a decimal string (firmware sends readings such as `"21.5"` as text).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string(let s): return Double(s)
        default: return nil
        }
    }
    /// The member `key` of an object (nil for other values); setting it on a non-object does nothing.
    public subscript(key: String) -> JSONValue? {
        get { objectValue?[key] }
        set {
            guard case .object(var o) = self else { return }
            o[key] = newValue
            self = .object(o)
        }
    }
}
