import ArgumentParser
import EWeLink
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Options every device command takes.
struct DeviceCommandOptions: ParsableArguments {
    @Flag(help: "Print JSON for scripts.")
    var json = false

    @Option(help: "Longest wait for the device on the LAN, in seconds, all requests of the command together (an `info` first for a device of unknown type, a retry at a new address); with a cloud fallback the wait is learnt per device below it. (default: 3.0)",
            transform: Seconds.parser(max: Seconds.lanCeiling))
    var timeout = Seconds.lanDefault

    @Flag(help: "Never fall back to the cloud (same as --via lan).")
    var lanOnly = false

    @Option(help: "Route for this command: auto (LAN, else cloud), lan, or cloud. Default: the device's policy.")
    var via: RoutePolicy?

    @Flag(help: "Do the work in this process even when a hub (`ewelink serve`) is running.")
    var noHub = false

    @Flag(help: """
        Use the device's LAN address without proof of identity (README "Trust"): for firmware whose \
        info reply does not name the device, or a DIY device claimed by several services when you know \
        which address is right. Never through the hub.
        """)
    var trustAddress = false

    /// The route override of this command.
    var route: RoutePolicy? { lanOnly ? .lan : via }

    /// The client of this command: the store and cloud settings of the environment, LAN only
    /// with `--via lan`, `--timeout` as the LAN's ceiling. A one-shot command has nothing to
    /// merge with, so each change goes out at once (the configuration's default).
    func client() -> EWeLinkClient {
        EWeLinkClient.forCommand(route: route, timeout: timeout, trustAddress: trustAddress)
    }

    /// Runs the command's work with `--timeout` bounding all its LAN requests together
    /// (`LANDeadline`), not each of them.
    func withinTimeout<T, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        try await Self.within(timeout, from: .now, body)
    }

    /// `body` with `timeout` from `start` bounding all its LAN requests together.
    static func within<T, E: Error>(_ timeout: Seconds, from start: ContinuousClock.Instant,
                                    _ body: () async throws(E) -> T) async throws(E) -> T {
        let outcome = await LANDeadline.$current.withValue(LANDeadline(timeout.duration, from: start)) { () async -> Result<T, E> in
            do throws(E) { return .success(try await body()) } catch { return .failure(error) }
        }
        return try outcome.get()
    }
}

/// Prints a command result as JSON or as one human line.
func report(_ result: CommandResult, name: String, json: Bool) {
    report(json: result.json, name: name, json: json)
}

/// Prints a command result's JSON (`CommandResult.json`, made here or by the hub) as it is, or as
/// one human line.
func report(json o: JSONObject, name: String, json: Bool) {
    if json {
        printLine(JSONValue.object(o).serialized)
    } else {
        let ms = (o["elapsedMs"]?.doubleValue ?? 0).formatted(decimals: 1)
        printLine("\(name): \(StateSummary.describe(o["state"]?.objectValue)) (via \(o["route"]?.stringValue ?? "?"), \(ms) ms)")
    }
}

/// The process's environment, read once: each read of `ProcessInfo.processInfo.environment`
/// builds the whole dictionary again (about a million instructions of a one-shot command).
enum CommandEnvironment {
    static let variables = ProcessInfo.processInfo.environment
}

extension EWeLinkConfiguration {
    /// The configuration of one CLI command: the environment's store and cloud settings; unreadable
    /// cloud settings (or `cloud` false) leave the command on the LAN, as no settings do.
    static func forCommand(cloud: Bool = true, apiURL: String? = nil) -> EWeLinkConfiguration {
        fromEnvironmentOrLANOnly(CommandEnvironment.variables, apiURL: apiURL, cloud: cloud)
    }
}

extension EWeLinkClient {
    /// The client of one device command: the environment's store and cloud settings (no cloud
    /// with route `lan`), `timeout` as the LAN's ceiling, addresses trusted without proof when
    /// asked.
    static func forCommand(route: RoutePolicy?, timeout: Seconds, trustAddress: Bool) -> EWeLinkClient {
        var configuration = EWeLinkConfiguration.forCommand(cloud: route != .lan)
        configuration.lanTimeout = timeout.duration
        configuration.trustAddresses = trustAddress
        return forCommand(configuration)
    }

    /// The client of one CLI command: what the command taught but the store could not keep (the
    /// command itself went through) is a warning on stderr.
    static func forCommand(_ configuration: EWeLinkConfiguration = .forCommand()) -> EWeLinkClient {
        let client = EWeLinkClient(configuration: configuration)
        client.onStoreProblem { printError("ewelink: warning: \($0)") }
        return client
    }
}
