import ArgumentParser
import EWeLink
import EWeLinkHubClient
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A command the hub can carry out for this process: the same answer, the same output, the same
/// exit status as doing it here.
protocol HubRoutable {
    /// The hub request for this invocation, or nil when it must run in this process (`--no-hub`,
    /// or options the hub does not take).
    func hubRequest() throws -> HubRequest?
    /// Prints the hub's successful answer as the command prints its own result.
    func render(hubReply body: [UInt8]) throws
}

struct HubRequest {
    var method: String
    var target: String
    var body: [UInt8] = []
}

enum HubRouting {
    /// Asks the hub, prints its answer and exits, when a hub runs; returns when there is none.
    static func runIfHub(_ command: any HubRoutable) {
        let request: HubRequest?
        do { request = try command.hubRequest() } catch { EWeLinkCommand.exitReporting(error) }
        guard let request else { return }
        runIfHub(request, render: command.render(hubReply:))
    }

    /// Sends `request` to the hub and prints its answer with `render`, then exits, when a hub runs;
    /// returns when there is none.
    static func runIfHub(_ request: HubRequest, render: ([UInt8]) throws -> Void) {
        switch HubClient.exchange(request.method, request.target, body: request.body,
                                  path: HubAddress.socketPath(environment: CommandEnvironment.variables),
                                  unsafe: { printError("ewelink: warning: " + $0) }) {
        case .noHub:
            return
        case .failed(let why):
            if case .timedOut = why {
                printError("ewelink: \(why) (--no-hub works without it)")
            } else {
                printError("ewelink: \(why)")
            }
            exit(ExitStatus.failure)
        case .reply(let reply):
            if (200..<300).contains(reply.status) {
                do { try render(reply.body) } catch { EWeLinkCommand.exitReporting(error) }
                exit(0)
            }
            if let object = try? JSONValue.parse(reply.body).objectValue, let failure = HubFailure(json: object) {
                // The hub's message is the library's; the advice is this CLI's, as without a hub.
                printError("ewelink: " + failure.message + (failure.reason.map { advice(for: $0, deviceID: failure.deviceID) } ?? ""))
                exit(failure.exitCode)
            }
            printError("ewelink: the hub answered HTTP \(reply.status) without a reason")
            exit(ExitStatus.failure)
        }
    }

    /// The hub's JSON object answer, or a failure to report.
    static func object(_ body: [UInt8]) throws -> JSONObject {
        guard let object = try? JSONValue.parse(body).objectValue else { throw fail("the hub's answer is not a JSON object", code: 1) }
        return object
    }

    /// The body as one line, as the command prints its own JSON.
    static func line(_ body: [UInt8]) -> String {
        String(decoding: body, as: UTF8.self).trimmingBlanksAndNewlines
    }
}

extension DeviceCommandOptions {
    /// Whether this invocation may go through the hub: not with `--no-hub`, nor with a `--timeout`
    /// of its own (the hub's router has one ceiling for everyone), nor with `--trust-address` (the
    /// hub never uses an address without proof).
    var hubAllowed: Bool { Self.hubAllowed(noHub: noHub, trustAddress: trustAddress, timeout: timeout) }

    /// `hubAllowed` for options given as values (the hot path's).
    static func hubAllowed(noHub: Bool, trustAddress: Bool, timeout: Seconds) -> Bool {
        !noHub && !trustAddress && timeout == Seconds(3) && getenv("EWELINK_NO_HUB") == nil
    }

    var hubQuery: [(String, String?)] { Self.hubQuery(route: route) }

    static func hubQuery(route: RoutePolicy?) -> [(String, String?)] { [("via", route?.rawValue)] }
}

extension HubRequest {
    /// on / off / toggle of `device` through the hub.
    static func power(_ action: PowerAction, device: String, channel: Int?, route: RoutePolicy?) -> HubRequest {
        HubRequest(method: "POST", target: "/devices/\(HubClient.segment(device))/\(action.rawValue)"
            + HubClient.query([("channel", channel.map(String.init))] + DeviceCommandOptions.hubQuery(route: route)))
    }

    /// The state of `device` (one channel's, when given) through the hub.
    static func status(device: String, channel: Int?, route: RoutePolicy?) -> HubRequest {
        HubRequest(method: "GET", target: "/devices/\(HubClient.segment(device))/status"
            + HubClient.query([("channel", channel.map(String.init))] + DeviceCommandOptions.hubQuery(route: route)))
    }
}

/// Prints the hub's answer to on / off / toggle / send as the command prints its own result.
func renderCommand(hubReply body: [UInt8], device: String, json: Bool) throws {
    if json { printLine(HubRouting.line(body)); return }
    report(json: try HubRouting.object(body), name: device, json: false)
}

extension PowerArguments {
    func hubRequest(_ action: PowerAction) -> HubRequest? {
        guard common.hubAllowed else { return nil }
        return .power(action, device: device, channel: channel, route: common.route)
    }

    func render(hubReply body: [UInt8]) throws { try renderCommand(hubReply: body, device: device, json: common.json) }
}

extension OnCommand: HubRoutable {
    func hubRequest() throws -> HubRequest? { arguments.hubRequest(.on) }
    func render(hubReply body: [UInt8]) throws { try arguments.render(hubReply: body) }
}

extension OffCommand: HubRoutable {
    func hubRequest() throws -> HubRequest? { arguments.hubRequest(.off) }
    func render(hubReply body: [UInt8]) throws { try arguments.render(hubReply: body) }
}

extension ToggleCommand: HubRoutable {
    func hubRequest() throws -> HubRequest? { arguments.hubRequest(.toggle) }
    func render(hubReply body: [UInt8]) throws { try arguments.render(hubReply: body) }
}

extension SendCommand: HubRoutable {
    func hubRequest() throws -> HubRequest? {
        guard common.hubAllowed else { return nil }
        let object = try parsedParams()
        return HubRequest(method: "POST", target: "/devices/\(HubClient.segment(device))/send"
            + HubClient.query([("endpoint", endpoint)] + common.hubQuery), body: Array(JSONValue.object(object).serialized.utf8))
    }

    func render(hubReply body: [UInt8]) throws { try renderCommand(hubReply: body, device: device, json: common.json) }
}

extension StatusCommand: HubRoutable {
    func hubRequest() throws -> HubRequest? {
        guard common.hubAllowed else { return nil }
        try checkChannel()
        return .status(device: device, channel: channel, route: common.route)
    }

    func render(hubReply body: [UInt8]) throws { try Self.render(hubReply: body, device: device, channel: channel, json: common.json) }

    /// Prints the hub's status answer as the command prints its own.
    static func render(hubReply body: [UInt8], device: String, channel: Int?, json: Bool) throws {
        if json { printLine(HubRouting.line(body)); return }
        show(try HubRouting.object(body), device: device, channel: channel)
    }
}

extension DevicesList: HubRoutable {
    func hubRequest() throws -> HubRequest? {
        // Keys never leave the hub: --show-keys reads the store here.
        guard !noHub, !showKeys, ProcessInfo.processInfo.environment["EWELINK_NO_HUB"] == nil else { return nil }
        return HubRequest(method: "GET", target: "/devices")
    }

    func render(hubReply body: [UInt8]) throws {
        if json { printLine(HubRouting.line(body)); return }
        guard let list = try? JSONValue.parse(body).arrayValue else { throw fail("the hub's answer is not a JSON array", code: 1) }
        var devices: [(StoredDevice, Bool)] = []
        for entry in list {
            guard let o = entry.objectValue, let d = try? StoredDevice(json: o) else { throw fail("the hub sent an unreadable device", code: 1) }
            devices.append((d, o["hasKey"]?.boolValue ?? false))
        }
        printList(devices, storePath: DeviceStore.standard().path)
    }
}
