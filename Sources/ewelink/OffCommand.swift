import ArgumentParser
import EWeLink
import EWeLinkHubClient

struct OffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "off", abstract: "Switch a device (or one channel) off.",
                                                    discussion: ExitStatus.help)
    @OptionGroup var arguments: PowerArguments
    func run() async throws { try await arguments.run(.off) }
}
