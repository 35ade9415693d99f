import Foundation

/// What a finished child process printed and how it ended.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Wall time from start to exit.
    public var elapsed: Duration

    public var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Runs an executable to its end, capturing both outputs (the demo runs the real `ewelink` this
/// way; the CLI tests too).
public enum ProcessRunner {
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           stdin: String? = nil) async throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let started = ContinuousClock.now
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        // Read both pipes off the cooperative pool so a chatty child cannot block it.
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
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                             stderr: String(decoding: e, as: UTF8.self), elapsed: ContinuousClock.now - started)
    }
}
