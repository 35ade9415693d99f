import EWeLinkCore

/// libFuzzer target: the cloud WebSocket message parser (`scripts/fuzz cloud-socket-message`).
/// Compiled together with `CloudSocketMessage.swift` and `CloudEvent.swift` (they need only the
/// JSON types of EWeLinkCore), not with the rest of EWeLinkCloud.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCloudSocketMessage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? CloudSocketMessage.parse(text)
    return 0
}
