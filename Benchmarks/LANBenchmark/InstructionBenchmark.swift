import EWeLink
import Foundation

/// Instruction counts (scripts/instructions: valgrind's callgrind) beside the wall times: the same
/// binary with the same input gives the same count, so a change shows even on a machine whose
/// wall times move by 2× within an hour.
enum InstructionBenchmark {
    static let heading = "## Instruction counts (callgrind)"

    /// The rows, in the order of the section: results.json key, label.
    static let rows: [(key: String, label: String)] = [
        ("instr_version_count", "`ewelink --version`"),
        ("instr_on_count", "`ewelink on ID --timeout 60` (simulator plug, known address)"),
        ("instr_send_count", "one in-process `send` (after 100 warm-up sends)"),
    ]

    /// Runs scripts/instructions on `bin`'s ewelink and ewelink-sim and `bench` (an ewelink-bench),
    /// and returns the counts by results.json key.
    static func run(bin: String, bench: String) throws -> [String: Int] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "scripts/instructions")
        p.arguments = ["--json", "--bin", bin, "--bench", bench]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let o = try? JSONValue.parse(Array(out)).objectValue else {
            throw BenchError("scripts/instructions exited \(p.terminationStatus)")
        }
        var counts: [String: Int] = [:]
        for key in o.keys { counts[key] = o[key]?.intValue }
        return counts
    }

    /// The section of RESULTS.md: each count beside the previous run's and the change.
    static func section(_ counts: [String: Int], previous: JSONObject?, bin: String, bench: String, commit: String) -> String {
        var text = """
            \(heading)

            Measured by `scripts/bench` (`scripts/instructions`, valgrind's callgrind): instructions executed, whole
            process for the commands (`ewelink` of `\(bin)`), and for the send the part between two markers after 100
            warm-up sends (`\(bench)`, every thread). The same binary and input give the same count to 0.01 % (the
            send to 0.5 %: its threads interleave differently), where wall times here move by 2× within an hour. CI
            (scripts/install-check) prints the same rows for the installed binaries (the send from the debug build).

            - date: \(Date().formatted(.iso8601)), commit \(commit)

            | metric | instructions | previous run | change |
            |---|---|---|---|

            """
        for row in rows {
            guard let value = counts[row.key] else { continue }
            let old = previous?[row.key]?.intValue
            let change = old.map { old -> String in
                let percent = (Double(value) / Double(old) - 1) * 100
                return abs(percent) < 0.005 ? "0.00 %" : (percent > 0 ? "+" : "") + fmt(percent, 2) + " %"
            } ?? "–"
            text += "| \(row.label) | \(grouped(value)) | \(old.map(grouped) ?? "–") | \(change) |\n"
        }
        return text
    }

    /// 35195397 as 35,195,397.
    static func grouped(_ n: Int) -> String {
        var digits = Array(String(n))
        var i = digits.count - 3
        while i > 0 { digits.insert(",", at: i); i -= 3 }
        return String(digits)
    }
}
