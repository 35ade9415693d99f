import ArgumentParser
import EWeLink
import EWeLinkCloud
import EWeLinkHubClient
import EWeLinkLAN

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Pull the device list from the cloud once and keep every device's keys locally.",
        discussion: "Every home of the account, own and shared devices: devicekey, owner apikey, uiid, model, firmware, channels and name go "
            + "into the device store; LAN control needs no cloud afterwards.")

    @Option(help: "Base URL of the API instead of the eWeLink hosts ({region} is replaced).")
    var apiUrl: String?
    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        do {
            let client = EWeLinkClient(configuration: try EWeLinkConfiguration.fromEnvironment(apiURL: apiUrl))
            let report = try await client.syncKeys()
            if json {
                printLine(JSONValue.object(report.json).serialized)
            } else {
                let homes = report.homes.count == 1 ? "1 home" : "\(report.homes.count) homes"
                printLine("synced \(report.total) devices from \(homes) (\(report.added.count) new, \(report.updated.count) updated)"
                    + (report.withoutKey.isEmpty ? "" : "; without a devicekey: \(report.withoutKey.joined(separator: ", "))"))
                for home in report.homes where report.homes.count > 1 {
                    printLine("  \(home.name): \(home.devices) devices (\(home.shared) shared)")
                }
            }
        } catch let error as CloudError {
            throw fail(error.description + advice(for: error), code: ExitStatus.cloud)
        } catch let error as DeviceStoreError {
            throw fail(.store(error))
        }
    }
}
