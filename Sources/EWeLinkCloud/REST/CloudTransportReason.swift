import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOPosix

extension CloudError {
    /// Why a request could not reach the cloud, as a few words: NIO and AsyncHTTPClient errors
    /// describe themselves with their internals (`connection reset (error set): Connection
    /// refused) (errno: 111)`), which is no sentence for a user.
    static func transportReason(_ error: any Error) -> String {
        switch error {
        case let e as IOError: return reason(errno: e.errnoCode)
        case let e as NIOConnectionError:
            if let first = e.connectionErrors.first { return transportReason(first.error) }
            if e.dnsAError != nil || e.dnsAAAAError != nil { return "the host name \(e.host) did not resolve" }
            return "no connection to \(e.host):\(e.port)"
        case let e as ChannelError:
            switch e {
            case .connectTimeout: return "the connection timed out"
            case .eof, .ioOnClosedChannel, .outputClosed, .inputClosed, .alreadyClosed: return "the connection closed early"
            default: return "connection failed"
            }
        case let e as HTTPClientError:
            switch e {
            case .connectTimeout: return "the connection timed out"
            case .deadlineExceeded, .readTimeout: return "no answer in time"
            case .remoteConnectionClosed: return "the connection closed early"
            case .cancelled: return "the request was cancelled"
            case .bodyLengthMismatch, .invalidProxyResponse: return "the answer was malformed"
            default: return "the request failed"
            }
        case is CancellationError: return "the request was cancelled"
        case is CloudSocketConnection.HandshakeTimeout:
            return "no answer to the WebSocket handshake within \(CloudSocketConnection.handshakeDeadline.nanoseconds / 1_000_000_000) s"
        default:
            // TLS and anything else: the first line of what the error says, no internals.
            let text = String(describing: error)
            return String(text.split(whereSeparator: \.isNewline).first ?? "the request failed").prefix(120).description
        }
    }

    private static func reason(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: return "the connection was refused"
        case ECONNRESET, EPIPE: return "the connection was reset"
        case ETIMEDOUT: return "the connection timed out"
        case EHOSTUNREACH: return "the host is unreachable"
        case ENETUNREACH: return "the network is unreachable"
        default: return String(cString: strerror(code)).lowercased()
        }
    }
}
