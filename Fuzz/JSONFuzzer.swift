/// libFuzzer target: the order-keeping JSON parser (`scripts/fuzz json`), compiled in one module
/// with `Sources/EWeLinkCore/JSON`.
///
/// Beyond "no crash": whatever parses serializes to text that parses back to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let value = try? JSONValue.parse(bytes) else { return 0 }
    let text = value.serializedBytes
    let again: JSONValue
    do { again = try JSONValue.parse(text) } catch {
        fatalError("serialized form does not parse: \(error) in \(String(decoding: text, as: UTF8.self))")
    }
    guard again == value else { fatalError("round trip changed the value: \(value) → \(again)") }
    return 0
}
