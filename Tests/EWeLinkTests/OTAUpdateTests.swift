import EWeLink
import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Synchronization
import Testing
import TestSupport

/// Progress steps seen, in order.
final class StepLog: Sendable {
    private let steps = Mutex<[OTAProgress.Step]>([])
    var all: [OTAProgress.Step] { steps.withLock { $0 } }
    func add(_ p: OTAProgress) { steps.withLock { $0.append(p.step) } }
}


@Suite("OTA end to end")
struct OTAUpdateTests {
    @Test("upgrade: offered, acknowledged, offline, online, new version reported, store updated")
    func upgradeSucceeds() async throws {
        let f = try await OTAFleet.start()
        defer { Task { await f.sim.stop() } }
        let plug = f.sim.devices[0]
        let socket = CloudSocket(client: f.client)
        defer { Task { await socket.stop() } }
        let log = StepLog()
        let outcome = try await CloudOTAUpdater(cloud: f.client, socket: socket, store: f.store)
            .upgrade(try f.stored(plug.id), timeout: .seconds(20)) { log.add($0) }
        #expect(outcome.from == "3.5.0" && outcome.to == "3.6.1")
        #expect(plug.snapshot.fwVersion == "3.6.1")
        #expect(try f.stored(plug.id).fwVersion == "3.6.1")
        let steps = log.all
        for expected: OTAProgress.Step in [.offered, .sent, .acknowledged, .offline, .version, .succeeded] {
            #expect(steps.contains(expected), "missing \(expected) in \(steps)")
        }
        #expect(steps.firstIndex(of: .offline)! < steps.firstIndex(of: .version)!)
    }

    @Test("upgrade fails clearly when the device comes back with the old version, or not in time, or for a version not offered")
    func upgradeFailures() async throws {
        let f = try await OTAFleet.start(updateFails: true)
        defer { Task { await f.sim.stop() } }
        let plug = f.sim.devices[0]
        let socket = CloudSocket(client: f.client)
        defer { Task { await socket.stop() } }
        let updater = CloudOTAUpdater(cloud: f.client, socket: socket, store: f.store)
        let stored = try f.stored(plug.id)
        do {
            _ = try await updater.upgrade(stored, version: "9.9.9")
            Issue.record("a version the cloud does not offer was sent")
        } catch {
            guard case .versionNotOffered(_, "9.9.9", "3.6.1") = error else { Issue.record("\(error)"); return }
        }
        do {
            _ = try await updater.upgrade(stored, timeout: .seconds(20))
            Issue.record("a rolled-back update was reported as a success")
        } catch {
            guard case .notNewer(_, "3.5.0", "3.5.0") = error else { Issue.record("\(error)"); return }
        }
        #expect(try f.stored(plug.id).fwVersion == "3.5.0")
        do {
            _ = try await updater.upgrade(stored, timeout: .milliseconds(800))
            Issue.record("no timeout")
        } catch {
            guard case .timedOut = error else { Issue.record("\(error)"); return }
        }
    }

    @Test("check asks about every device, 30 per call")
    func checkBatches() async throws {
        let f = try await OTAFleet.start(count: 33)
        defer { Task { await f.sim.stop() } }
        let before = f.sim.cloud!.stats.calls
        let devices = try f.store.load()
        let results = try await CloudOTAUpdater.check(devices, cloud: f.client)
        #expect(results.count == devices.count)
        #expect(results.filter { $0.1?.version == "3.6.1" }.count == 33)
        #expect(results.first { $0.0.id == f.diy.id }?.1 == nil, "the DIY device is not a cloud device")
        #expect(f.sim.cloud!.stats.calls - before == 2)
        #expect(f.sim.cloud!.stats.violations == 0)
    }

    @Test("DIY flash: the image is served with Range, the device reboots into it, the port is closed afterwards")
    func flashSucceeds() async throws {
        let f = try await OTAFleet.start()
        defer { Task { await f.sim.stop() } }
        let path = temporaryHome() + ".bin"
        try Data(Self.appImage(version: "3.7.0")).write(to: URL(fileURLWithPath: path))
        let log = StepLog()
        let outcome = try await DIYFlasher().flash(try f.stored(f.diy.id), image: path, timeout: .seconds(20)) { log.add($0) }
        #expect(outcome.from == "3.6.0" && outcome.to == "3.7.0")
        #expect(f.diy.snapshot.fwVersion == "3.7.0")
        #expect(log.all.contains(.unlocked) && log.all.contains(.offline) && log.all.contains(.succeeded))
    }

    /// A simulated ESP app image: the 0xE9 magic byte, then the simulator's version marker.
    static func appImage(version: String, size: Int = 300_000) -> [UInt8] {
        var image = [UInt8](repeating: 0xA5, count: size)
        image[0] = DIYFlasher.imageMagic
        let marker = Array("fwVersion=\(version)\0".utf8)
        image.replaceSubrange(1000..<(1000 + marker.count), with: marker)
        return image
    }

    @Test("DIY flash: a device that takes 2 s to answer is followed through its reboot with its learnt wait, not a fixed 2 s")
    func flashSlowDevice() async throws {
        let f = try await OTAFleet.start()
        defer { Task { await f.sim.stop() } }
        let path = temporaryHome() + ".bin"
        try Data(Self.appImage(version: "3.7.2")).write(to: URL(fileURLWithPath: path))
        _ = await f.diy.setFaults { $0.delayMs = 2100 }
        let outcome = try await DIYFlasher().flash(try f.stored(f.diy.id), image: path, timeout: .seconds(25))
        #expect(outcome.to == "3.7.2")
        #expect(f.diy.snapshot.fwVersion == "3.7.2")
    }

    @Test("DIY flash: a file that is not an ESP app image (no 0xE9) is refused untouched unless forced")
    func flashRefusesNonImage() async throws {
        let f = try await OTAFleet.start()
        defer { Task { await f.sim.stop() } }
        let path = temporaryHome() + ".bin"
        var image = Self.appImage(version: "3.7.3")
        image[0] = 0x7F
        try Data(image).write(to: URL(fileURLWithPath: path))
        let seq = f.diy.snapshot.seq
        let diy = try f.stored(f.diy.id)
        do {
            _ = try await DIYFlasher().flash(diy, image: path, timeout: .seconds(20))
            Issue.record("accepted")
        } catch {
            guard case .notFirmwareImage(_, 0x7F) = error else { Issue.record("\(error)"); return }
        }
        #expect(f.diy.snapshot.seq == seq && !f.diy.snapshot.otaUnlocked)
        let forced = try await DIYFlasher().flash(diy, image: path, timeout: .seconds(20), force: true)
        #expect(forced.to == "3.7.3")
    }

    @Test("DIY flash: an image over 508 KB is refused before the device is touched; a wrong SHA-256 is refused by the device")
    func flashRefusals() async throws {
        let f = try await OTAFleet.start()
        defer { Task { await f.sim.stop() } }
        let big = temporaryHome() + ".bin"
        try Data(count: DIYFlasher.sizeLimit + 1).write(to: URL(fileURLWithPath: big))
        let seq = f.diy.snapshot.seq
        let diy = try f.stored(f.diy.id)
        do {
            _ = try await DIYFlasher().flash(diy, image: big)
            Issue.record("accepted")
        } catch {
            guard case .imageTooLarge = error else { Issue.record("\(error)"); return }
        }
        #expect(f.diy.snapshot.seq == seq && !f.diy.snapshot.otaUnlocked)

        // The served image does not match the digest sent: the device refuses (471) and keeps its firmware.
        let server = try await FirmwareServer(image: [UInt8](repeating: 1, count: 4096), host: "127.0.0.1")
        let client = ZeroconfClient()
        let target = LANTarget(deviceID: f.diy.id, host: "127.0.0.1", port: f.diy.snapshot.port, devicekey: nil)
        _ = try await client.send("ota_unlock", [:], to: target)
        do {
            _ = try await client.send("ota_flash", ["downloadUrl": .string(server.url),
                                                    "sha256sum": .string(String(repeating: "0", count: 64))], to: target)
            Issue.record("flashed a mismatching image")
        } catch {
            guard case .lanError(471, _) = error else { Issue.record("\(error)"); return }
        }
        #expect(server.bytesServed == 4096)
        await server.stop()
        #expect(f.diy.snapshot.fwVersion == "3.6.0")
        #expect(!(await ZeroconfClient.isListening(host: "127.0.0.1", port: server.port, timeout: .milliseconds(300))))
    }
}
