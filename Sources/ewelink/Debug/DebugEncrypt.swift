import ArgumentParser
import EWeLinkLAN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct DebugEncrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt a JSON text as a device with this devicekey expects it.",
        discussion: """
            Prints the base64 ciphertext. Without --iv a random IV is drawn and printed on a second line.
            The JSON is encrypted byte for byte as given.
            """
    )

    @OptionGroup var key: DeviceKeyInput

    @Option(help: "Base64 of a 16-byte IV (default: random).")
    var iv: String?

    @Flag(help: "Print {\"data\":…,\"iv\":…} instead.")
    var json = false

    @Argument(help: "The plaintext JSON, e.g. '{\"switch\":\"on\"}'.")
    var plaintext: String

    func run() throws {
        let devicekey = try key.required()
        do {
            _ = try JSONValue.parse(plaintext)
        } catch {
            throw fail("the plaintext is not JSON: \(error)")
        }
        var ivBytes: [UInt8]? = nil
        if let iv {
            guard let decoded = Data(base64Encoded: iv) else { throw fail("--iv is not valid base64") }
            guard decoded.count == 16 else { throw fail("--iv must decode to 16 bytes, got \(decoded.count)") }
            ivBytes = Array(decoded)
        }
        let sealed: DeviceCipher.Sealed
        do {
            sealed = try DeviceCipher(devicekey: devicekey).sealJSON(plaintext, iv: ivBytes)
        } catch {
            throw fail("\(error)")
        }
        if json {
            let out: JSONValue = ["data": .string(sealed.ciphertextBase64), "iv": .string(sealed.ivBase64)]
            print(out.serialized)
        } else {
            print(sealed.ciphertextBase64)
            if iv == nil { print(sealed.ivBase64) }
        }
    }
}
