import ArgumentParser
import EWeLink
import EWeLinkHubClient

struct ToggleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toggle", abstract: "Switch a device to the opposite of its current state.",
        discussion: "The current state is read from the device's mDNS announcement first, so the command sent is "
            + "an absolute on or off. " + ExitStatus.help)
    @OptionGroup var arguments: PowerArguments
    func run() async throws { try await arguments.run(.toggle) }
}
