import ArgumentParser

struct DebugCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Check keys and decode what devices send (encrypt, decrypt, decode TXT records, sign).",
        subcommands: [DebugEncrypt.self, DebugDecrypt.self, DebugDecodeTXT.self, DebugSign.self]
    )
}
