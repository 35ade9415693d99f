import ArgumentParser
import EWeLinkCloud

struct DebugSign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign", abstract: "Print the cloud signature (base64 HMAC-SHA256) of a message.",
        discussion: "Sign the exact bytes you send: a POST body as is, or a GET query as `k=v&k=v` sorted by name.")

    @Option(help: "The app secret.")
    var secret: String

    @Argument(help: "The message (a JSON body, or a sorted query string).")
    var message: String

    func run() throws {
        print(CloudSignature(appSecret: secret).sign(Array(message.utf8)))
    }
}
