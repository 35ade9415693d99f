import ArgumentParser
import Dispatch
import EWeLink
#if canImport(Glibc)
import Glibc
#endif

/// The hot commands — on, off, toggle and status of one device, as `HotFront` parsed them —
/// carried out without swift-argument-parser and, for a device the store can reach directly,
/// without Swift concurrency, NIO or any thread: the blocking mode of `EWeLinkClient`. What that
/// mode hands over (mDNS, the cloud, a LAN that failed) continues on the asynchronous path, and a
/// running hub takes the command as it takes the parsed one. Output, errors and exit statuses are
/// the commands' own: the same functions print them.
enum HotPath {
    /// Carries out `hot` and exits.
    static func run(_ hot: HotCommand) -> Never {
        let action: PowerAction? = switch hot.verb {
        case .on: .on
        case .off: .off
        case .toggle: .toggle
        case .status: nil
        }
        if DeviceCommandOptions.hubAllowed(noHub: hot.noHub, trustAddress: hot.trustAddress, timeout: hot.timeout) {
            if let action {
                HubRouting.runIfHub(.power(action, device: hot.device, channel: hot.channel, route: hot.route)) {
                    try renderCommand(hubReply: $0, device: hot.device, json: hot.json)
                }
            } else {
                HubRouting.runIfHub(.status(device: hot.device, channel: hot.channel, route: hot.route)) {
                    try StatusCommand.render(hubReply: $0, device: hot.device, channel: hot.channel, json: hot.json)
                }
            }
        }
        let client = EWeLinkClient.forCommand(route: hot.route, timeout: hot.timeout, trustAddress: hot.trustAddress)
        if let action { power(action, hot, client) } else { status(hot, client) }
    }

    private static func power(_ action: PowerAction, _ hot: HotCommand, _ client: EWeLinkClient) -> Never {
        let reference = DeviceReference(hot.device)
        finish(client.powerBlocking(action, reference, channel: hot.channel, via: hot.route), hot) { handOver throws(ControlError) in
            try await client.power(action, reference, channel: hot.channel, via: hot.route, continuing: handOver)
        } print: { report($0, name: hot.device, json: hot.json) }
    }

    private static func status(_ hot: HotCommand, _ client: EWeLinkClient) -> Never {
        let reference = DeviceReference(hot.device)
        finish(client.stateBlocking(of: reference, via: hot.route), hot) { handOver throws(ControlError) in
            try await client.state(of: reference, via: hot.route, continuing: handOver)
        } print: { try StatusCommand.print($0, device: hot.device, channel: hot.channel, json: hot.json) }
    }

    /// Prints what the blocking mode did and exits: its result, its failure, or (started only
    /// now) the asynchronous continuation's, within the command's `--timeout` from its start.
    private static func finish<Value: Sendable>(
        _ outcome: BlockingOutcome<Value>, _ hot: HotCommand,
        continuing: @escaping @Sendable (BlockingHandOver) async throws(ControlError) -> Value,
        print: @escaping @Sendable (Value) throws -> Void
    ) -> Never {
        switch outcome {
        case .done(let value):
            do { try print(value) } catch { EWeLinkCommand.exitReporting(error) }
            exit(0)
        case .failed(let error):
            exit(fail(error, device: hot.device).rawValue)
        case .handOver(let handOver):
            continueAsync {
                let value = try await DeviceCommandOptions.within(hot.timeout, from: handOver.started) { () async throws(ControlError) in
                    try await continuing(handOver)
                }
                try print(value)
            } failing: { fail($0, device: hot.device) }
        }
    }

    /// Runs `body` on Swift concurrency (started only now) and exits: 0 when it returns, the
    /// exit status of its `ControlError` (`failing` reports it), or of any other error.
    private static func continueAsync(_ body: @escaping @Sendable () async throws -> Void,
                                      failing: @escaping @Sendable (ControlError) -> ExitCode) -> Never {
        Task {
            do {
                try await body()
                exit(0)
            } catch let error as ControlError {
                exit(failing(error).rawValue)
            } catch {
                EWeLinkCommand.exitReporting(error)
            }
        }
        dispatchMain()
    }
}
