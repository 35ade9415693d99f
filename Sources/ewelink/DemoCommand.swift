import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `ewelink demo` hands over to `ewelink-sim demo`: the simulator and mock cloud are not part of
/// this binary.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "See everything work without an account or devices (runs `ewelink-sim demo`).",
        discussion: """
            Starts a simulated fleet and mock cloud on 127.0.0.1 (ewelink-sim, installed next to ewelink) and runs \
            this ewelink for each step: login, sync, discover, on/off over the LAN and through the cloud, an OTA \
            upgrade. Arguments go to `ewelink-sim demo` (see `ewelink-sim demo --help`).
            """)

    @Argument(parsing: .allUnrecognized, help: "Options for ewelink-sim demo (--fleet FILE, --json, …).")
    var arguments: [String] = []

    func run() throws {
        let me = executableURL()
        let sim = me.deletingLastPathComponent().appendingPathComponent("ewelink-sim").path
        guard FileManager.default.isExecutableFile(atPath: sim) else {
            throw fail("the demo needs ewelink-sim next to ewelink (\(sim)); build or install both")
        }
        let argv = [sim, "demo", "--ewelink", me.path] + arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        execv(sim, &cArgs)
        throw fail("cannot start \(sim): \(String(cString: strerror(errno)))", code: 1)
    }
}

/// This executable's own file, symbolic links resolved: /proc/self/exe where there is one, as
/// argv[0] is only a name when the shell found the command on PATH.
func executableURL() -> URL {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        return URL(fileURLWithPath: path)
    }
    return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
}
