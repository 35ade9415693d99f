import EWeLinkSimulator
import Foundation

/// Runs one of the package's executables (built next to the test bundle) and captures its output.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

public enum CommandRunner {
    /// The build folder holding the executables: the test bundle's own folder.
    public static var binDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("ewelink").path) { return url }
        }
        // `swift test` runs the xctest bundle from the build folder; fall back to the usual path.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug")
    }

    public static func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:],
                           stdin: String? = nil) async throws -> CommandResult {
        let r = try await ProcessRunner.run(binDirectory.appendingPathComponent(tool), arguments,
                                            environment: environment, stdin: stdin)
        return CommandResult(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }
}
