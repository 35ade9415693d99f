import Foundation
import Testing

/// The wiring store → LAN → cloud settings → WebSocket → router → events exists once, in
/// `EWeLinkClient`: the CLI's shared options, `watch` and the hub make a client and nothing below it.
@Suite("One client: the front ends build on EWeLinkClient")
struct ClientWiringTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("SharedOptions, WatchCommand and Hub construct an EWeLinkClient and none of the layers below it",
          arguments: ["Sources/ewelink/SharedOptions.swift", "Sources/ewelink/WatchCommand.swift", "Sources/EWeLinkHub/Hub.swift"])
    func frontEndsUseTheClient(_ file: String) throws {
        let code = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            .split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
        #expect(code.contains("EWeLinkClient(") || code.contains("EWeLinkClient.forCommand("), "\(file) makes a client")
        for layer in ["LANController(", "Router(", "DeviceEventStream(", "CloudSocket(", "CloudConfig.load(", "DeviceDirectory(",
                      "DeviceStore.standard(", ".client()"] {
            #expect(!code.contains(layer), "\(file) wires \(layer) itself")
        }
    }
}

@Suite("The README's library example is the Quickstart CI runs")
struct ReadmeExampleTests {
    @Test("The first Swift block of README \"As a library\" is Examples/Sources/Quickstart/main.swift without its comments")
    func readmeShowsQuickstart() throws {
        let root = ClientWiringTests.root
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## As a library").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```swift\n").dropFirst().first?.components(separatedBy: "```").first)
        let quickstart = try String(contentsOf: root.appendingPathComponent("Examples/Sources/Quickstart/main.swift"), encoding: .utf8)
        let code = quickstart.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("//") }
            .joined(separator: "\n")
        #expect(block == code, "README:\n\(block)\nQuickstart:\n\(code)")
    }
}
