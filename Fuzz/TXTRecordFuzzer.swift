/// libFuzzer target: the TXT record decoder (`scripts/fuzz txt-record`), compiled in one module with
/// the JSON and digest sources of EWeLinkCore and the crypto and TXT sources of EWeLinkLAN.
///
/// The input is a TXT record in DNS wire form (length-prefixed `key=value` strings), split the way
/// `txtPairs` splits Avahi's list; the state is decrypted with the fixtures' device key, as
/// discovery does for a device it knows.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTXTRecord(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var records: [String: String] = [:]
    var i = 0
    while i < bytes.count {
        let length = Int(bytes[i])
        let end = min(bytes.count, i + 1 + length)
        let item = bytes[(i + 1)..<end]
        i = end
        let eq = item.firstIndex(of: UInt8(ascii: "=")) ?? item.endIndex
        let key = String(decoding: item[..<eq], as: UTF8.self)
        let value = eq < item.endIndex ? String(decoding: item[(eq + 1)...], as: UTF8.self) : ""
        if records[key] == nil { records[key] = value }
    }
    guard let announcement = try? TXTAnnouncement(records: records) else { return 0 }
    _ = announcement.warnings
    _ = try? announcement.state(devicekey: "9b0810bc-557a-406c-8266-614767890531")
    _ = try? announcement.state(devicekey: nil)
    // What we would publish again must be readable again.
    var again: [String: String] = [:]
    for (key, value) in announcement.records { again[key] = value }
    guard let reread = try? TXTAnnouncement(records: again) else { fatalError("published records do not read back") }
    // Data that fits data1..data4 once cut on character boundaries must come back whole (more, and
    // `make` refuses to publish it: found by this target, kept in Fixtures/fuzz/txt-record).
    guard reread.data == announcement.data || TXTAnnouncement.chunks(announcement.data).count > TXTAnnouncement.maxChunks
    else { fatalError("data changed through records: \(announcement.data) → \(reread.data)") }
    return 0
}
