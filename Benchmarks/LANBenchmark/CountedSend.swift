import EWeLinkLAN
#if canImport(Glibc)
import Glibc
#endif

/// One in-process `send` for callgrind (`ewelink-bench --count-send PORT ID KEY`, run by
/// scripts/instructions): warm-up sends to a running simulator, then exactly one between two
/// marker functions. Callgrind dumps its counts on entering each marker, so the part between the
/// two dumps is that one send, on every thread (the event loop's share included).
enum CountedSend {
    static func run(port: Int, id: String, key: String?) async throws {
        let client = ZeroconfClient()
        let target = LANTarget(deviceID: id, host: "127.0.0.1", port: port, devicekey: key)
        for n in 0..<100 { _ = try await client.send("switch", ["switch": n % 2 == 0 ? "on" : "off"], to: target) }
        instructionCountBegin()
        _ = try await client.send("switch", ["switch": "on"], to: target)
        instructionCountEnd()
    }
}

// The markers: never inlined, never folded into one (different bodies), each a call the optimizer
// cannot drop; callgrind finds them by name (`--dump-before='*instructionCountBegin*'`).
@inline(never) func instructionCountBegin() { _ = getpid() }
@inline(never) func instructionCountEnd() { _ = getppid() }
