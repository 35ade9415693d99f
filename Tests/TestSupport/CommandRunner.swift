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
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent(tool)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        // Read both pipes off the cooperative pool so a chatty child cannot block.
        let (o, e) = await withCheckedContinuation { (cont: CheckedContinuation<(Data, Data), Never>) in
            Thread {
                let group = DispatchGroup()
                nonisolated(unsafe) var errData = Data()
                group.enter()
                Thread {
                    errData = err.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }.start()
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                cont.resume(returning: (outData, errData))
            }.start()
        }
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                             stderr: String(decoding: e, as: UTF8.self))
    }
}
