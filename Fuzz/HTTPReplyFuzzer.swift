/// libFuzzer target: the zeroconf HTTP reply parser (`scripts/fuzz http-reply`), compiled in one
/// module with `HTTPReplyParser.swift` (so its generic `feed` is specialized, as in the transport).
///
/// Properties beyond "no crash": the reply is the same whether the bytes arrive at once or in
/// pieces (the transport feeds whatever each read brings), and a body never exceeds its cap.
/// The caps are small here so short inputs reach them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPReply(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let small = HTTPReplyParser.Limits(headerBytes: 512, bodyBytes: 1024, chunkLineBytes: 32)
    for limits in [small, HTTPReplyParser.Limits.standard] {
        let whole = parse(bytes, limits: limits, piece: bytes.count)
        // Piece sizes from the first byte: 1…16 bytes per read.
        let piece = 1 + Int(bytes.first ?? 0) % 16
        let split = parse(bytes, limits: limits, piece: piece)
        guard whole == split else { fatalError("whole \(whole) != split by \(piece) \(split)") }
        if case .success(let reply) = whole, reply.body.count > limits.bodyBytes {
            fatalError("body of \(reply.body.count) bytes passed the cap \(limits.bodyBytes)")
        }
    }
    return 0
}

private func parse(_ bytes: [UInt8], limits: HTTPReplyParser.Limits, piece: Int) -> Result<HTTPReplyParser.Reply, HTTPReplyParser.Failure> {
    var parser = HTTPReplyParser(limits: limits)
    var start = 0
    do {
        while start < bytes.count {
            let end = min(bytes.count, start + max(1, piece))
            if let reply = try parser.feed(bytes[start..<end]) { return .success(reply) }
            start = end
        }
        return .success(try parser.finish())
    } catch {
        return .failure(error)
    }
}
