import Hummingbird
import NIOCore

/// The context of a request to the hub: Hummingbird's, with the connection it came on (for the
/// TCP guards: who failed the token, which connection has shown it).
struct HubRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The peer's IP address (the Unix socket's peers have none).
    var peerAddress: String { channel.remoteAddress?.ipAddress ?? "local" }
}
