import ArgumentParser
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct DebugDecrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt a device payload and print its JSON (compact).",
        discussion: "Tolerates the firmware quirks (double padding, empty data, the RF Bridge '\"=\"' bug)."
    )

    @OptionGroup var key: DeviceKeyInput

    @Option(help: "Base64 IV that came with the data.")
    var iv: String

    @Argument(help: "Base64 ciphertext (a TXT data1..4 join, or a request/response 'data').")
    var data: String

    func run() throws {
        let devicekey = try key.required()
        do {
            let object = try DeviceCipher(devicekey: devicekey).openJSON(base64: data, iv: iv)
            print(object.serialized)
        } catch {
            throw fail("\(error)")
        }
    }
}
