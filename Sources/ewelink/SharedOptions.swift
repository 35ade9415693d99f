import ArgumentParser
import EWeLink
import Foundation

/// Options every device command takes.
struct DeviceCommandOptions: ParsableArguments {
    @Flag(help: "Print JSON for scripts.")
    var json = false

    @Option(help: "Longest wait for the device on the LAN, in seconds, all requests of the command together (an `info` first for a device of unknown type, a retry at a new address); with a cloud fallback the wait is learnt per device below it. (default: 3.0)",
            transform: Seconds.parser(max: Seconds.lanCeiling))
    var timeout = Seconds(3)

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

    func controller() throws -> LANController {
        var options = LANController.Options()
        options.zeroconf.timeout = timeout.duration
        options.trustAddress = trustAddress
        return LANController.forCommand(options: options)
    }

    /// Runs the command's work with `--timeout` bounding all its LAN requests together
    /// (`LANDeadline`), not each of them.
    func withinTimeout<T, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        let outcome = await LANDeadline.$current.withValue(LANDeadline(timeout.duration)) { () async -> Result<T, E> in
            do throws(E) { return .success(try await body()) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    /// LAN first; the cloud (REST, as a one-shot process has no WebSocket session up) when the
    /// LAN cannot reach the device and a cloud session exists. A one-shot command has nothing to
    /// merge with, so it goes out at once.
    func router() throws -> Router {
        let lan = try controller()
        var options = Router.Options()
        options.lanTimeoutCeiling = timeout.duration
        options.mergeWindow = .zero
        guard route != .lan, let config = try? CloudConfig.load(), config.credentials != nil,
              let client = try? config.client(), client.session != nil else { return Router(lan: lan, options: options) }
        return Router(lan: lan, cloud: client, options: options)
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
        let ms = String(format: "%.1f", o["elapsedMs"]?.doubleValue ?? 0)
        printLine("\(name): \(StateSummary.describe(o["state"]?.objectValue)) (via \(o["route"]?.stringValue ?? "?"), \(ms) ms)")
    }
}

extension LANController {
    /// The controller of one CLI command: what the command taught but the store could not keep
    /// (the command itself went through) is a warning on stderr.
    static func forCommand(options: LANController.Options = .init()) -> LANController {
        let lan = LANController(options: options)
        lan.directory.onStoreProblem { printError("ewelink: warning: \($0)") }
        return lan
    }
}
