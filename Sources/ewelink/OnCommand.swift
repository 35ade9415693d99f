import ArgumentParser
import EWeLink
import EWeLinkHubClient

struct OnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "on", abstract: "Switch a device (or one channel) on.",
                                                    discussion: ExitStatus.help)
    @OptionGroup var arguments: PowerArguments
    func run() async throws { try await arguments.run(.on) }
}
