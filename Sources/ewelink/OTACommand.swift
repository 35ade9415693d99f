import ArgumentParser
import EWeLink
import EWeLinkCloud
import EWeLinkHubClient
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct OTACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ota", abstract: "Firmware updates: check what the cloud offers, upgrade through the cloud, flash DIY devices.",
        subcommands: [OTACheck.self, OTAUpgrade.self, OTAFlash.self])
}

/// Options of the cloud OTA commands.
struct OTACloudOptions: ParsableArguments {
    @Option(help: "Base URL of the API instead of the eWeLink hosts ({region} is replaced).")
    var apiUrl: String?
    @Flag(help: "Print JSON (one object per line).")
    var json = false

    /// The client of a cloud OTA command; fails (exit 9) without cloud settings or a session.
    func client() throws -> EWeLinkClient {
        do {
            let client = EWeLinkClient.forCommand(try EWeLinkConfiguration.fromEnvironment(apiURL: apiUrl))
            _ = try client.loggedInCloud()
            return client
        } catch {
            throw fail(error.description + advice(for: error), code: ExitStatus.cloud)
        }
    }
}

/// Loads the store, or fails with the store's exit code.
func loadStore() throws -> (DeviceStore, [StoredDevice]) {
    let store = DeviceStore.standard()
    do { return (store, try store.load()) } catch { throw fail(.store(error)) }
}

/// Prints a progress step as a JSON line or a human line on stderr (stdout stays for the result).
func showProgress(_ p: OTAProgress, json: Bool) {
    if json {
        printLine(JSONValue.object(p.json).serialized)
    } else {
        printError(p.elapsed.inSeconds.formatted(decimals: 1, width: 7) + " s  \(p.step.rawValue)  \(p.detail)")
    }
}

/// Prints how an update ended: its JSON object, or one line.
func report(_ outcome: OTAOutcome, device: StoredDevice, json: Bool) {
    if json {
        printLine(JSONValue.object(outcome.json).serialized)
    } else {
        printLine("\(device.displayName): firmware \(outcome.from) → \(outcome.to ?? "?") "
            + "(\(outcome.elapsed.inSeconds.formatted(decimals: 1)) s)")
    }
}

/// Reports a failed update (also as a JSON object with `--json`) and returns its exit code.
func otaFailure(_ error: OTAError, device: StoredDevice, json: Bool, message: String) -> ExitCode {
    if json { printLine(JSONValue.object(["device": .string(device.id), "ok": false, "error": .string(error.description)]).serialized) }
    return fail(message + advice(for: error), code: otaExitCode(error))
}

func otaExitCode(_ error: OTAError) -> Int32 {
    switch error {
    case .noUpdate, .versionNotOffered, .imageTooLarge, .unreadableImage, .notFirmwareImage: return ExitStatus.badInput
    case .notInCloud, .noSession, .cloud: return ExitStatus.cloud
    case .lan(_, _, let e): return ExitStatus.code(for: .lan(e))
    case .refused, .notNewer: return ExitStatus.deviceError
    case .timedOut: return ExitStatus.unreachable
    }
}

struct OTACheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "List the firmware updates the cloud offers (every stored device, or the named ones).")

    @Argument(help: "Devices (ids or names); all stored cloud devices when left out.")
    var devices: [String] = []
    @OptionGroup var cloud: OTACloudOptions

    func run() async throws {
        let client = try cloud.client()
        let (store, all) = try loadStore()
        var chosen: [StoredDevice] = []
        for q in devices {
            guard let d = store.find(q, in: all) else { throw fail(.unknownDevice(q)) }
            chosen.append(d)
        }
        if devices.isEmpty { chosen = all.filter { $0.apikey != nil } }
        guard !chosen.isEmpty else { throw fail("no cloud devices in the store: run `ewelink sync`", code: ExitStatus.unknownDevice) }
        let results: [(StoredDevice, OTAOffer?)]
        do { results = try await client.firmwareUpdates(for: chosen) } catch {
            throw fail(error.description + advice(for: error), code: otaExitCode(error))
        }
        if cloud.json {
            for (d, offer) in results {
                printLine(JSONValue.object([
                    "device": .string(d.id), "name": d.name.map(JSONValue.string) ?? .null,
                    "current": d.fwVersion.map(JSONValue.string) ?? .null,
                    "available": offer.map { .string($0.version) } ?? .null,
                    "checked": .bool(d.model != nil && d.apikey != nil),
                ]).serialized)
            }
            return
        }
        printTable(["ID", "NAME", "CURRENT", "AVAILABLE"], results.map { d, offer in
            [d.id, d.name ?? "-", d.fwVersion ?? "?",
             offer?.version ?? ((d.model == nil || d.apikey == nil) ? "not a cloud device" : "up to date")]
        })
    }
}

struct OTAUpgrade: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade", abstract: "Update a device's firmware through the cloud and follow it until it runs the new version.",
        discussion: "Succeeds only when the device reports a firmware newer than before. " + ExitStatus.help)

    @Argument(help: "The device: its id or its name.")
    var device: String
    @Option(help: "Only this version (refused when the cloud offers another).")
    var version: String?
    @Option(help: "Seconds to wait for the device to come back with the new firmware. (default: 600.0)", transform: Seconds.parser(max: Seconds.otaCeiling))
    var timeout = Seconds(600)
    @OptionGroup var cloud: OTACloudOptions

    func run() async throws {
        let client = try cloud.client()
        let (store, all) = try loadStore()
        guard let d = store.find(device, in: all) else { throw fail(.unknownDevice(device)) }
        let json = cloud.json
        let outcome: OTAOutcome
        do {
            outcome = try await client.upgradeFirmware(DeviceReference(d.id), version: version, timeout: timeout.duration) {
                showProgress($0, json: json)
            }
        } catch {
            await client.shutdown()
            throw otaFailure(error, device: d, json: json, message: "\(d.displayName): \(error)")
        }
        await client.shutdown()
        report(outcome, device: d, json: json)
    }
}

struct OTAFlash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flash", abstract: "Flash a firmware image onto a DIY-mode device over the LAN.",
        discussion: "The image is served by this process over plain HTTP (Range requests) on the address facing the "
            + "device, under an unguessable path, only while the flash runs. Images over 508 KB, and files that do "
            + "not start like an ESP8266/ESP32 app image (0xE9) unless --force, are refused before the device is touched. " + ExitStatus.help)

    @Argument(help: "The device: its id or its name.")
    var device: String
    @Option(help: "The firmware image.")
    var file: String
    @Option(help: "Seconds to wait for the device to come back after flashing. (default: 300.0)", transform: Seconds.parser(max: Seconds.otaCeiling))
    var timeout = Seconds(300)
    @Flag(help: "Flash a file that does not start like an ESP8266/ESP32 app image (0xE9).")
    var force = false
    @Flag(help: "Print JSON (one object per line).")
    var json = false

    func run() async throws {
        let client = EWeLinkClient.forCommand(.forCommand(cloud: false))
        let d: StoredDevice
        do { d = try await client.device(DeviceReference(device)) } catch { throw fail(error, device: device) }
        let json = self.json
        do {
            let outcome = try await client.flashFirmware(d, image: file, timeout: timeout.duration, force: force) {
                showProgress($0, json: json)
            }
            report(outcome, device: d, json: json)
        } catch {
            throw otaFailure(error, device: d, json: json, message: error.description)
        }
    }
}
