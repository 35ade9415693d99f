import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Flashes a DIY-mode device over the LAN: the image is served by this process (`FirmwareServer`),
/// `ota_unlock` then `ota_flash` with its SHA-256, and the device is followed through its reboot
/// until it answers `info` again with its new version.
public struct DIYFlasher: Sendable {
    /// What DIY firmware accepts (508 KB).
    public static let sizeLimit = 508 * 1024

    /// The client the flash's `ota_unlock`, `ota_flash` and `info` requests go through.
    public let client: ZeroconfClient

    /// A flasher sending through `client` (share the process's one, so the device sees one request at a time).
    public init(client: ZeroconfClient = ZeroconfClient()) { self.client = client }

    /// The first byte of an ESP8266 / ESP32 application image.
    public static let imageMagic: UInt8 = 0xE9
    /// The longest wait for one `info` reply while following the reboot (the learnt wait is used below it).
    public static let pollCeiling: Duration = .seconds(10)

    /// Flashes `path` onto `device`. The image must fit (`sizeLimit`) and, unless `force`, start
    /// like an ESP8266/ESP32 app image (`imageMagic`); both are checked before the device is touched.
    public func flash(_ device: StoredDevice, image path: String, timeout: Duration = .seconds(300), force: Bool = false,
                      progress: @escaping @Sendable (OTAProgress) -> Void = { _ in }) async throws(OTAError) -> OTAOutcome {
        let step = OTAReporter(deviceID: device.id, progress: progress)
        // Everything that can be refused is checked before the device is touched.
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unreadableImage(path: path, reason: "no such file") }
        let size = Int(info.st_size)
        guard size <= Self.sizeLimit else { throw .imageTooLarge(bytes: size, limit: Self.sizeLimit) }
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else {
            throw .unreadableImage(path: path, reason: size == 0 ? "the file is empty" : "not readable")
        }
        guard force || data.first == Self.imageMagic else {
            throw .notFirmwareImage(path: path, firstByte: data[data.startIndex])
        }
        guard let host = device.host else { throw .lan(deviceID: device.id, step: "finding it", .noAddress(deviceID: device.id)) }
        let target = LANTarget(deviceID: device.id, host: host, port: device.port ?? LANProtocol.port, devicekey: device.devicekey)
        let image = [UInt8](data)
        let digest = Digest.hex(Digest.sha256(image))
        let before: String
        var health = device.lanHealth
        do {
            let reply = try await client.send("info", [:], to: target)
            health.succeeded(after: reply.elapsed)
            before = reply.state?["fwVersion"]?.stringValue ?? device.fwVersion ?? "0.0.0"
        } catch {
            throw .lan(deviceID: device.id, step: "info", error)
        }
        guard let local = FirmwareServer.localAddress(toward: host) else {
            throw .lan(deviceID: device.id, step: "serving the image", .transport(host: host, port: target.port, reason: "no local address toward the device"))
        }
        let server: FirmwareServer
        do { server = try await FirmwareServer(image: image, host: local) } catch {
            throw .lan(deviceID: device.id, step: "serving the image", .transport(host: local, port: 0, reason: "\(error)"))
        }
        // The port is open only while the flash runs: every way out below stops the server.
        step(.serving, "\(image.count) bytes, sha256 \(digest.prefix(12))…")
        do {
            _ = try await client.send("ota_unlock", [:], to: target, timeout: .seconds(30))
        } catch {
            await server.stop()
            throw .lan(deviceID: device.id, step: "ota_unlock", error)
        }
        step(.unlocked, "ota_unlock accepted")
        step(.flashing, "ota_flash")
        do {
            _ = try await client.send("ota_flash", ["downloadUrl": .string(server.url), "sha256sum": .string(digest)],
                                      to: target, timeout: .seconds(120))
        } catch {
            await server.stop()
            throw .lan(deviceID: device.id, step: "ota_flash", error)
        }
        step(.downloading, "\(server.bytesServed) bytes served")
        // A device slow to answer (some firmware takes seconds) is waited for as long as it
        // needed before the flash, not a fixed 2 s that would count every answer as a failure.
        let pollTimeout = health.timeout(ceiling: Self.pollCeiling)
        let after = await followReboot(target, before: before, timeout: timeout, pollTimeout: pollTimeout, step: step)
        await server.stop()
        return try step.outcome(before: before, after: after, timeout: timeout)
    }

    /// Polls `info` until the device has been away (rebooting) and answers again; its version then.
    private func followReboot(_ target: LANTarget, before: String, timeout: Duration, pollTimeout: Duration,
                              step: OTAReporter) async -> String? {
        let deadline = ContinuousClock.now + timeout
        var away = false
        while ContinuousClock.now < deadline {
            do {
                let remaining = deadline - ContinuousClock.now
                let reply = try await client.send("info", [:], to: target, timeout: min(pollTimeout, max(remaining, .milliseconds(1))))
                let version = reply.state?["fwVersion"]?.stringValue
                if away || (version != nil && version != before) {
                    step(.online, "answering again")
                    if let version { step(.version, version) }
                    return version ?? before
                }
            } catch {
                if !away { step(.offline, "rebooting") }
                away = true
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return nil
    }
}
