import ArgumentParser
import EWeLink

@main
struct EWeLinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ewelink",
        abstract: "Control eWeLink / Sonoff devices on the local network, with the eWeLink cloud as fallback.",
        version: EWeLinkVersion.current,
        subcommands: [
            DiscoverCommand.self, OnCommand.self, OffCommand.self, ToggleCommand.self, StatusCommand.self,
            SendCommand.self, WatchCommand.self, OTACommand.self, DemoCommand.self, DevicesCommand.self, LoginCommand.self, SyncCommand.self, APICommand.self, DebugCommand.self,
        ]
    )
}
