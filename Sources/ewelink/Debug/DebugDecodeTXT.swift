import ArgumentParser
import EWeLinkLAN

struct DebugDecodeTXT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode-txt",
        abstract: "Decode an _ewelink._tcp TXT record given as key=value arguments.",
        discussion: """
            Prints {"id":…,"type":…,"seq":N,"encrypted":bool,"state":{…}}; state is null when the record is \
            encrypted and no --devicekey is given. Example:
              ewelink debug decode-txt --devicekey K id=1000123abc type=plug seq=3 encrypt=true iv=… data1=…
            """
    )

    /// To decrypt an encrypted state.
    @OptionGroup var key: DeviceKeyInput

    @Argument(help: "TXT strings, key=value.")
    var records: [String] = []

    func run() throws {
        let devicekey = try key.resolve()
        var txt: [String: String] = [:]
        for record in records {
            guard let eq = record.firstIndex(of: "=") else {
                throw fail("'\(record)' is not key=value")
            }
            txt[String(record[..<eq])] = String(record[record.index(after: eq)...])
        }
        do {
            let announcement = try TXTAnnouncement(records: txt)
            let state = try announcement.state(devicekey: devicekey)
            var out: JSONObject = [
                "id": .string(announcement.deviceID), "type": .string(announcement.type.rawValue),
                "seq": .int(announcement.seq), "encrypted": .bool(announcement.encrypted),
                "state": state.map(JSONValue.object) ?? .null,
                "apivers": .int(announcement.apiVersion),
            ]
            if !announcement.warnings.isEmpty { out["warnings"] = .array(announcement.warnings.map(JSONValue.string)) }
            print(out.serialized)
        } catch {
            throw fail("\(error)")
        }
    }
}
