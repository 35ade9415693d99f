@testable import EWeLinkLAN
import Foundation
import NIOCore
import Testing

/// Transport failures are told apart by type and errno, never by the words of a message.
@Suite("LAN errors classified by errno")
struct ErrorClassificationTests {
    static let target = LANTarget(deviceID: "1000abcdef", host: "127.0.0.1", port: 8081, devicekey: nil)

    static func classify(_ error: any Error) -> LANError {
        ZeroconfClient.classify(error, target: target, timeoutMs: 300)
    }

    @Test("ECONNREFUSED, ECONNRESET/EPIPE/ECONNABORTED, ETIMEDOUT and EHOSTUNREACH each mean what they say")
    func byErrno() {
        #expect(Self.classify(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == .lanRefused(host: "127.0.0.1", port: 8081))
        for code in [ECONNRESET, EPIPE, ECONNABORTED] {
            #expect(Self.classify(IOError(errnoCode: code, reason: "read")) == .lanReset(host: "127.0.0.1", port: 8081, attempts: 1))
        }
        #expect(Self.classify(IOError(errnoCode: ETIMEDOUT, reason: "connect")) == .lanTimeout(host: "127.0.0.1", port: 8081, afterMs: 300))
        guard case .transport(_, _, let reason) = Self.classify(IOError(errnoCode: EHOSTUNREACH, reason: "connect")) else {
            Issue.record("EHOSTUNREACH is a transport failure")
            return
        }
        #expect(reason == String(cString: strerror(EHOSTUNREACH)))
        #expect(Self.classify(IOError(errnoCode: EHOSTUNREACH, reason: "connect")).isUnreachable)
    }

    @Test("NIO's channel errors by case; a message that merely says 'refused' is not a refusal")
    func byType() {
        #expect(Self.classify(ChannelError.connectTimeout(.milliseconds(300))) == .lanTimeout(host: "127.0.0.1", port: 8081, afterMs: 300))
        #expect(Self.classify(ChannelError.eof) == .lanReset(host: "127.0.0.1", port: 8081, attempts: 1))
        struct Wordy: Error, CustomStringConvertible { var description: String { "connection refused (errno: 111)" } }
        guard case .transport = Self.classify(Wordy()) else {
            Issue.record("an untyped error is classified by its type, not its words")
            return
        }
    }
}
