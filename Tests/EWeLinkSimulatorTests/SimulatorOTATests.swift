import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import NIOHTTP1
import Synchronization
import Testing
import TestSupport

/// A firmware file server on loopback, with or without Range support, counting requests.
final class FirmwareServer: Sendable {
    let server: LoopbackHTTPServer
    let counter: RangeCounter

    init(image: [UInt8], supportsRange: Bool = true) {
        let box = RangeCounter()
        server = LoopbackHTTPServer(port: 0, oneConnectionAtATime: false) { request in
            guard request.path == "/fw.bin" else { return .respond(status: .notFound, contentType: "text/plain", body: []) }
            guard supportsRange, let range = request.headers.first(name: "Range") else {
                return .respond(status: .ok, contentType: "application/octet-stream", body: image)
            }
            box.increment()
            let spec = range.replacingOccurrences(of: "bytes=", with: "").split(separator: "-")
            let start = Int(spec[0]) ?? 0
            let end = min(spec.count > 1 ? Int(spec[1]) ?? image.count - 1 : image.count - 1, image.count - 1)
            return .respond(status: .partialContent, contentType: "application/octet-stream",
                            body: Array(image[start...end]),
                            headers: [("Content-Range", "bytes \(start)-\(end)/\(image.count)")])
        }
        self.counter = box
    }
}

final class RangeCounter: Sendable {
    private let n = Mutex<Int>(0)
    func increment() { n.withLock { $0 += 1 } }
    var value: Int { n.withLock { $0 } }
}

@Suite("Simulator DIY OTA over real HTTP")
struct SimulatorOTATests {
    static func image(size: Int, version: String) -> [UInt8] {
        var bytes = Array("ESP8266-IMAGE fwVersion=\(version) ".utf8)
        while bytes.count < size { bytes.append(UInt8(truncatingIfNeeded: bytes.count &* 31)) }
        return Array(bytes.prefix(size))
    }

    @Test("ota_unlock then ota_flash downloads in ranges, verifies SHA-256 and reboots into the new version")
    func flashes() async throws {
        let sim = try await startHTTPOnly([("diy_plug", false)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let image = Self.image(size: 300_000, version: "3.7.1")
        let files = FirmwareServer(image: image)
        try await files.server.start()
        defer { Task { await files.server.stop() } }
        let c = TestZeroconf(device: d.config, port: d.snapshot.port)
        let url = "http://127.0.0.1:\(files.server.port)/fw.bin"
        let digest = Digest.hex(Digest.sha256(image))

        #expect(try await c.send("ota_flash", ["downloadUrl": .string(url), "sha256sum": .string(digest)]).response.error == 403)
        #expect(try await c.send("ota_unlock", [:]).response.error == 0)
        #expect(try await c.send("info", [:]).state?["otaUnlock"] == true)
        let flash = try await c.send("ota_flash", ["downloadUrl": .string(url), "sha256sum": .string(digest)], timeout: 30)
        #expect(flash.response.error == 0)
        #expect(files.counter.value >= 300_000 / (16 * 1024), "downloaded in Range requests")
        try await eventually(timeout: .seconds(10), "reboot into 3.7.1") {
            d.snapshot.fwVersion == "3.7.1" && !d.snapshot.rebooting
        }
        #expect(d.snapshot.seq == 1)
        try await eventually("port open again") {
            (try? await c.send("info", [:]).state?["fwVersion"]) == "3.7.1"
        }
    }

    @Test("471 on a digest mismatch, 413 over 508 KB, 424 unreachable / no Range / not loopback / not http")
    func failures() async throws {
        let sim = try await startHTTPOnly([("diy_plug", false)])
        defer { Task { await sim.stop() } }
        let d = sim.devices[0]
        let c = TestZeroconf(device: d.config, port: d.snapshot.port)
        #expect(try await c.send("ota_unlock", [:]).response.error == 0)
        let good = Self.image(size: 50_000, version: "3.9.0")
        let big = Self.image(size: 508 * 1024 + 1, version: "3.9.0")
        let ranged = FirmwareServer(image: good)
        let huge = FirmwareServer(image: big)
        let plain = FirmwareServer(image: good, supportsRange: false)
        for s in [ranged, huge, plain] { try await s.server.start() }
        defer { Task { for s in [ranged, huge, plain] { await s.server.stop() } } }
        func flash(_ url: String, _ digest: String) async throws -> Int {
            try await c.send("ota_flash", ["downloadUrl": .string(url), "sha256sum": .string(digest)], timeout: 30).response.error
        }
        let goodDigest = Digest.hex(Digest.sha256(good))
        #expect(try await flash("http://127.0.0.1:\(ranged.server.port)/fw.bin", String(repeating: "0", count: 64)) == 471)
        #expect(try await flash("http://127.0.0.1:\(huge.server.port)/fw.bin", Digest.hex(Digest.sha256(big))) == 413)
        #expect(try await flash("http://127.0.0.1:\(plain.server.port)/fw.bin", goodDigest) == 424)
        #expect(try await flash("http://127.0.0.1:\(ranged.server.port)/missing.bin", goodDigest) == 424)
        #expect(try await flash("http://127.0.0.1:1/fw.bin", goodDigest) == 424)
        #expect(try await flash("http://192.0.2.1/fw.bin", goodDigest) == 424, "never leaves loopback")
        #expect(try await flash("https://127.0.0.1:\(ranged.server.port)/fw.bin", goodDigest) == 424)
        #expect(try await flash("http://127.0.0.1:\(ranged.server.port)/fw.bin", "xyz") == 422)
        #expect(d.snapshot.fwVersion == "3.5.0" || d.snapshot.fwVersion == d.config.fwVersion)
        #expect(!d.snapshot.rebooting)
    }
}
