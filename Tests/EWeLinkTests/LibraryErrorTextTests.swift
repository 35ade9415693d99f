@testable import EWeLink
@testable import EWeLinkCloud
import EWeLinkLAN
import Foundation
import Testing

/// The library speaks to apps and daemons, not as the CLI: no error text names `ewelink` (a
/// command to run, its environment variables, its folder) or a command-line option (` --via`).
/// The brand, "eWeLink" (the cloud, a device), is what the library is about and stays.
///
/// Every case of every public error enum of EWeLink, EWeLinkLAN, EWeLinkCloud and EWeLinkCore is
/// built once. Each enum has a `Kind` here with two exhaustive switches (error → kind, kind →
/// sample): a new case does not compile until it has a sample, so it cannot slip past this test.
@Suite("Library error texts: what happened and what is missing, no CLI advice")
struct LibraryErrorTextTests {
    /// Why `text` reads as the CLI's, or nil when it does not.
    static func cliAdvice(in text: String) -> String? {
        let withoutBrand = text.replacingOccurrences(of: "eWeLink", with: "")
        if withoutBrand.lowercased().contains("ewelink") { return "names ewelink" }
        if text.range(of: #"(^|\s|`|\()--[a-zA-Z]"#, options: .regularExpression) != nil { return "names a command-line option" }
        return nil
    }

    static func check(_ texts: [String], _ type: String) {
        #expect(!texts.isEmpty)
        for text in texts {
            #expect(cliAdvice(in: text) == nil, "\(type): \(cliAdvice(in: text) ?? ""): \(text)")
        }
    }

    @Test("The check itself: the old texts fail it, plain ones pass")
    func checker() {
        #expect(Self.cliAdvice(in: "no devicekey for x: run `ewelink sync`") != nil)
        #expect(Self.cliAdvice(in: "check EWELINK_API_URL") != nil)
        #expect(Self.cliAdvice(in: "endpoint 'x' has no cloud equivalent: use --via lan") != nil)
        #expect(Self.cliAdvice(in: "not logged in to the eWeLink cloud") == nil)
        #expect(Self.cliAdvice(in: "a range from 10 -- 20") == nil)
    }

    @Test("LANError, LANCryptoError, AvahiError, TXTRecordError, ZeroconfCodecError, AddressRange.Failure, LAN error codes")
    func lan() {
        Self.check(LANErrorKind.allCases.map { kind in
            let e = LANErrorKind.sample(kind)
            #expect(LANErrorKind(e) == kind)
            return e.description
        } + [401, 400, 403, 404, 422, 503, 999].map { LANError.lanError(code: $0, deviceID: "1000abcdef").description }, "LANError")
        Self.check(LANCryptoKind.allCases.map { kind in
            let e = LANCryptoKind.sample(kind)
            #expect(LANCryptoKind(e) == kind)
            return e.description
        }, "LANCryptoError")
        Self.check(AvahiKind.allCases.map { kind in
            let e = AvahiKind.sample(kind)
            #expect(AvahiKind(e) == kind)
            return e.description
        }, "AvahiError")
        Self.check(TXTKind.allCases.map { kind in
            let e = TXTKind.sample(kind)
            #expect(TXTKind(e) == kind)
            return e.description
        }, "TXTRecordError")
        Self.check(CodecKind.allCases.map { kind in
            let e = CodecKind.sample(kind)
            #expect(CodecKind(e) == kind)
            return e.description
        }, "ZeroconfCodecError")
        Self.check(RangeKind.allCases.flatMap { kind in
            RangeKind.samples(kind).map { e in
                #expect(RangeKind(e) == kind)
                return e.description
            }
        }, "AddressRange.Failure")
        Self.check(LANErrorCode.allCases.map(\.description), "LANErrorCode")
    }

    @Test("CloudError, CloudSocketMessage.Failure, cloud error codes")
    func cloud() {
        Self.check(CloudKind.allCases.map { kind in
            let e = CloudKind.sample(kind)
            #expect(CloudKind(e) == kind)
            return e.description
        } + CloudErrorCode.allCases.map { CloudError.api(code: $0.rawValue, message: "", path: "/v2/device/thing").description },
        "CloudError")
        Self.check(SocketKind.allCases.map { kind in
            let e = SocketKind.sample(kind)
            #expect(SocketKind(e) == kind)
            return e.description
        }, "CloudSocketMessage.Failure")
        Self.check(CloudErrorCode.allCases.map(\.description), "CloudErrorCode")
        // The sentences a refused TLS connection or an unreadable CA file gives.
        var tls = [true, false].map { CloudError.certificateSentence(nil, host: "127.0.0.1", address: "127.0.0.1:8443", wrongName: $0) }
        tls += [CloudTransport(caFile: "/nonexistent/ca.pem").problem].compactMap { $0 }
        #expect(tls.count == 3)
        Self.check(tls, "CloudError.tls / .settings reasons")
    }

    @Test("ControlError (with every LAN and cloud error inside it), DeviceStoreError, OTAError")
    func facade() {
        Self.check(ControlKind.allCases.flatMap { kind in
            ControlKind.samples(kind).map { e in
                #expect(ControlKind(e) == kind)
                return e.description
            }
        }, "ControlError")
        Self.check(StoreKind.allCases.map { kind in
            let e = StoreKind.sample(kind)
            #expect(StoreKind(e) == kind)
            return e.description
        }, "DeviceStoreError")
        Self.check(OTAKind.allCases.map { kind in
            let e = OTAKind.sample(kind)
            #expect(OTAKind(e) == kind)
            return e.description
        }, "OTAError")
    }

    @Test("AtomicFile.Failure (a shared folder refused for real), JSONParseError")
    func core() throws {
        var failures: [AtomicFile.Failure] = [.io(path: "/tmp/x", reason: "disk full")]
        do { try AtomicFile.checkDirectory("/tmp") } catch { failures.append(error) }
        #expect(failures.count == 2)
        Self.check(failures.map { e in
            switch e {
            case .io, .unsafe: return e.description
            }
        }, "AtomicFile.Failure")
        var json: [String] = []
        for text in ["{", "[1,]", "nul", "\"\\x\""] {
            do { _ = try JSONValue.parse(text) } catch { json.append(error.description) }
        }
        #expect(json.count == 4)
        Self.check(json, "JSONParseError")
    }
}

// MARK: One kind per case, and a sample of each

let sampleID = "1000abcdef"

enum LANErrorKind: CaseIterable {
    case lanRefused, lanTimeout, lanReset, lanError, invalidReply, replyTooLarge, deviceKeyMissing, keyRejected,
         decryptionFailed, noAddress, transport, superseded, invalidEndpoint, addressUnproven, addressContested, cancelled

    init(_ e: LANError) {
        switch e {
        case .lanRefused: self = .lanRefused
        case .lanTimeout: self = .lanTimeout
        case .lanReset: self = .lanReset
        case .lanError: self = .lanError
        case .invalidReply: self = .invalidReply
        case .replyTooLarge: self = .replyTooLarge
        case .deviceKeyMissing: self = .deviceKeyMissing
        case .keyRejected: self = .keyRejected
        case .decryptionFailed: self = .decryptionFailed
        case .noAddress: self = .noAddress
        case .transport: self = .transport
        case .superseded: self = .superseded
        case .invalidEndpoint: self = .invalidEndpoint
        case .addressUnproven: self = .addressUnproven
        case .addressContested: self = .addressContested
        case .cancelled: self = .cancelled
        }
    }

    static func sample(_ kind: Self) -> LANError {
        switch kind {
        case .lanRefused: return .lanRefused(host: "127.0.0.1", port: 8081)
        case .lanTimeout: return .lanTimeout(host: "127.0.0.1", port: 8081, afterMs: 3000)
        case .lanReset: return .lanReset(host: "127.0.0.1", port: 8081, attempts: 3)
        case .lanError: return .lanError(code: 401, deviceID: sampleID)
        case .invalidReply: return .invalidReply(host: "127.0.0.1", port: 8081, reason: "not JSON")
        case .replyTooLarge: return .replyTooLarge(host: "127.0.0.1", port: 8081, part: "body", limitBytes: 65536)
        case .deviceKeyMissing: return .deviceKeyMissing(deviceID: sampleID)
        case .keyRejected: return .keyRejected(deviceID: sampleID)
        case .decryptionFailed: return .decryptionFailed(deviceID: sampleID, reason: "bad padding")
        case .noAddress: return .noAddress(deviceID: sampleID)
        case .transport: return .transport(host: "127.0.0.1", port: 8081, reason: "no route to host")
        case .superseded: return .superseded(deviceID: sampleID)
        case .invalidEndpoint: return .invalidEndpoint("a b")
        case .addressUnproven: return .addressUnproven(deviceID: sampleID, host: "127.0.0.1", port: 8081, reason: "no state")
        case .addressContested: return .addressContested(deviceID: sampleID, addresses: ["127.0.0.1:8081", "127.0.0.2:8081"])
        case .cancelled: return .cancelled(deviceID: sampleID)
        }
    }
}

enum LANCryptoKind: CaseIterable {
    case invalidBase64, invalidIVLength, invalidCiphertextLength, wrongKeyOrCorrupt, plaintextNotJSON, invalidKeyLength, openSSLFailure

    init(_ e: LANCryptoError) {
        switch e {
        case .invalidBase64: self = .invalidBase64
        case .invalidIVLength: self = .invalidIVLength
        case .invalidCiphertextLength: self = .invalidCiphertextLength
        case .wrongKeyOrCorrupt: self = .wrongKeyOrCorrupt
        case .plaintextNotJSON: self = .plaintextNotJSON
        case .invalidKeyLength: self = .invalidKeyLength
        case .openSSLFailure: self = .openSSLFailure
        }
    }

    static func sample(_ kind: Self) -> LANCryptoError {
        switch kind {
        case .invalidBase64: return .invalidBase64(field: "iv")
        case .invalidIVLength: return .invalidIVLength(8)
        case .invalidCiphertextLength: return .invalidCiphertextLength(15)
        case .wrongKeyOrCorrupt: return .wrongKeyOrCorrupt
        case .plaintextNotJSON: return .plaintextNotJSON("invalid JSON at byte 0")
        case .invalidKeyLength: return .invalidKeyLength(15)
        case .openSSLFailure: return .openSSLFailure("EVP_DecryptFinal_ex")
        }
    }
}

enum AvahiKind: CaseIterable {
    case daemonNotRunning, nameCollision, unknownInterface, failure, disconnected

    init(_ e: AvahiError) {
        switch e {
        case .daemonNotRunning: self = .daemonNotRunning
        case .nameCollision: self = .nameCollision
        case .unknownInterface: self = .unknownInterface
        case .failure: self = .failure
        case .disconnected: self = .disconnected
        }
    }

    static func sample(_ kind: Self) -> AvahiError {
        switch kind {
        case .daemonNotRunning: return .daemonNotRunning
        case .nameCollision: return .nameCollision("eWeLink_1000abcdef")
        case .unknownInterface: return .unknownInterface("eth9")
        case .failure: return .failure(operation: "browse", message: "Bad state")
        case .disconnected: return .disconnected
        }
    }
}

enum TXTKind: CaseIterable {
    case missingField, invalidField, state, stateTooLarge

    init(_ e: TXTRecordError) {
        switch e {
        case .missingField: self = .missingField
        case .invalidField: self = .invalidField
        case .state: self = .state
        case .stateTooLarge: self = .stateTooLarge
        }
    }

    static func sample(_ kind: Self) -> TXTRecordError {
        switch kind {
        case .missingField: return .missingField("id")
        case .invalidField: return .invalidField("seq", value: "x", reason: "not a number")
        case .state: return .state(.wrongKeyOrCorrupt)
        case .stateTooLarge: return .stateTooLarge(characters: 100_000)
        }
    }
}

enum CodecKind: CaseIterable {
    case notJSON, notAnObject, missingField, invalidField, crypto

    init(_ e: ZeroconfCodecError) {
        switch e {
        case .notJSON: self = .notJSON
        case .notAnObject: self = .notAnObject
        case .missingField: self = .missingField
        case .invalidField: self = .invalidField
        case .crypto: self = .crypto
        }
    }

    static func sample(_ kind: Self) -> ZeroconfCodecError {
        switch kind {
        case .notJSON:
            do { _ = try JSONValue.parse("{") } catch { return .notJSON(error) }
            return .notAnObject
        case .notAnObject: return .notAnObject
        case .missingField: return .missingField("error")
        case .invalidField: return .invalidField("seq", reason: "not a number")
        case .crypto: return .crypto(.wrongKeyOrCorrupt)
        }
    }
}

enum RangeKind: CaseIterable {
    case malformed, tooLarge

    init(_ e: AddressRange.Failure) {
        switch e {
        case .malformed: self = .malformed
        case .tooLarge: self = .tooLarge
        }
    }

    static func samples(_ kind: Self) -> [AddressRange.Failure] {
        switch kind {
        case .malformed: return [.malformed("10.0.0.0/33")]
        case .tooLarge: return [.tooLarge("10.0.0.0/8", hosts: 16_777_214, limit: 65_536, forcible: true),
                                .tooLarge("0.0.0.0/0", hosts: 1 << 32, limit: 1 << 24, forcible: false)]
        }
    }
}

enum CloudKind: CaseIterable {
    case api, notLoggedIn, sessionExpired, missingAppCredentials, rateLimited, regionLoop, transport, tls, settings,
         invalidResponse, responseTooLarge, tokenStore, deviceOffline

    init(_ e: CloudError) {
        switch e {
        case .api: self = .api
        case .notLoggedIn: self = .notLoggedIn
        case .sessionExpired: self = .sessionExpired
        case .missingAppCredentials: self = .missingAppCredentials
        case .rateLimited: self = .rateLimited
        case .regionLoop: self = .regionLoop
        case .transport: self = .transport
        case .tls: self = .tls
        case .settings: self = .settings
        case .invalidResponse: self = .invalidResponse
        case .responseTooLarge: self = .responseTooLarge
        case .tokenStore: self = .tokenStore
        case .deviceOffline: self = .deviceOffline
        }
    }

    static func sample(_ kind: Self) -> CloudError {
        switch kind {
        case .api: return .api(code: 401, message: "token expired", path: "/v2/device/thing")
        case .notLoggedIn: return .notLoggedIn
        case .sessionExpired: return .sessionExpired
        case .missingAppCredentials: return .missingAppCredentials
        case .rateLimited: return .rateLimited(path: "/v2/device/thing", retryAfterMs: 500)
        case .regionLoop: return .regionLoop("eu")
        case .transport: return .transport(path: "/v2/device/thing", reason: "connection refused")
        case .tls: return .tls(path: "/v2/device/thing", reason: "the certificate is not trusted")
        case .settings: return .settings("the CA file cannot be read")
        case .invalidResponse: return .invalidResponse(path: "/v2/device/thing", reason: "not JSON")
        case .responseTooLarge: return .responseTooLarge(path: "/v2/device/thing", limitBytes: 1 << 20)
        case .tokenStore: return .tokenStore("cannot write the session file")
        case .deviceOffline: return .deviceOffline(deviceID: sampleID, path: "/dispatch/app")
        }
    }
}

enum SocketKind: CaseIterable {
    case notJSON, notAnObject, missing, wrongType, tooLarge

    init(_ e: CloudSocketMessage.Failure) {
        switch e {
        case .notJSON: self = .notJSON
        case .notAnObject: self = .notAnObject
        case .missing: self = .missing
        case .wrongType: self = .wrongType
        case .tooLarge: self = .tooLarge
        }
    }

    static func sample(_ kind: Self) -> CloudSocketMessage.Failure {
        switch kind {
        case .notJSON: return .notJSON("invalid JSON at byte 0")
        case .notAnObject: return .notAnObject
        case .missing: return .missing(field: "deviceid", action: "update")
        case .wrongType: return .wrongType(field: "params", action: "update")
        case .tooLarge: return .tooLarge(limit: 16384)
        }
    }
}

enum ControlKind: CaseIterable {
    case unknownDevice, invalidRequest, stateUnknown, noCloudSession, endpointNeedsLAN, lan, store, mdns, cloud

    init(_ e: ControlError) {
        switch e {
        case .unknownDevice: self = .unknownDevice
        case .invalidRequest: self = .invalidRequest
        case .stateUnknown: self = .stateUnknown
        case .noCloudSession: self = .noCloudSession
        case .endpointNeedsLAN: self = .endpointNeedsLAN
        case .lan: self = .lan
        case .store: self = .store
        case .mdns: self = .mdns
        case .cloud: self = .cloud
        }
    }

    /// The cases that wrap another error wrap each of its cases once.
    static func samples(_ kind: Self) -> [ControlError] {
        switch kind {
        case .unknownDevice: return [.unknownDevice("kitchen")]
        case .invalidRequest:
            // The library's own invalid-request texts (the CLI's flag names must not leak into them).
            var texts = ["empty params: nothing to send"]
            let single: JSONObject = ["switch": "on"], multi: JSONObject = ["switches": [["switch": "on", "outlet": 0]]]
            texts += [CommandShape.noSuchChannel(2, in: single), CommandShape.noSuchChannel(5, in: multi),
                      CommandShape.noSuchChannel(1, in: [:])]
            for (type, channel) in [("plug", 1), ("strip", 9), ("fan_light", 3), ("rf", 0)] {
                do { _ = try CommandShape.power("on", channel: channel, type: DeviceType(rawValue: type), state: nil, channels: nil) } catch {
                    if case .invalidRequest(let why) = error { texts.append(why) }
                }
            }
            #expect(texts.count == 8, "\(texts)")
            return texts.map { .invalidRequest($0) }
        case .stateUnknown: return [.stateUnknown(deviceID: sampleID)]
        case .noCloudSession: return [.noCloudSession(device: "kitchen")]
        case .endpointNeedsLAN: return [.endpointNeedsLAN(endpoint: "pulse", device: "kitchen")]
        case .lan: return LANErrorKind.allCases.map { .lan(LANErrorKind.sample($0)) }
        case .store: return StoreKind.allCases.map { .store(StoreKind.sample($0)) }
        case .mdns: return AvahiKind.allCases.map { .mdns(AvahiKind.sample($0)) }
        case .cloud:
            return CloudKind.allCases.map { .cloud(CloudKind.sample($0), lan: LANErrorKind.sample(.deviceKeyMissing).description) }
        }
    }
}

enum StoreKind: CaseIterable {
    case corrupt, invalidRecord, io, insecurePermissions, unsafe, newerFormat

    init(_ e: DeviceStoreError) {
        switch e {
        case .corrupt: self = .corrupt
        case .invalidRecord: self = .invalidRecord
        case .io: self = .io
        case .insecurePermissions: self = .insecurePermissions
        case .unsafe: self = .unsafe
        case .newerFormat: self = .newerFormat
        }
    }

    static func sample(_ kind: Self) -> DeviceStoreError {
        switch kind {
        case .corrupt: return .corrupt(path: "/tmp/devices.json", reason: "invalid JSON at byte 3")
        case .invalidRecord: return .invalidRecord("no id")
        case .io: return .io(path: "/tmp/devices.json", reason: "disk full")
        case .insecurePermissions: return .insecurePermissions(path: "/tmp/devices.json", mode: "0644")
        case .unsafe: return .unsafe(path: "/tmp/devices.json", reason: "a symbolic link")
        case .newerFormat: return .newerFormat(path: "/tmp/devices.json", version: 9, supported: 3)
        }
    }
}

enum OTAKind: CaseIterable {
    case noUpdate, versionNotOffered, notInCloud, noSession, refused, timedOut, notNewer, imageTooLarge, unreadableImage,
         notFirmwareImage, lan, cloud

    init(_ e: OTAError) {
        switch e {
        case .noUpdate: self = .noUpdate
        case .versionNotOffered: self = .versionNotOffered
        case .notInCloud: self = .notInCloud
        case .noSession: self = .noSession
        case .refused: self = .refused
        case .timedOut: self = .timedOut
        case .notNewer: self = .notNewer
        case .imageTooLarge: self = .imageTooLarge
        case .unreadableImage: self = .unreadableImage
        case .notFirmwareImage: self = .notFirmwareImage
        case .lan: self = .lan
        case .cloud: self = .cloud
        }
    }

    static func sample(_ kind: Self) -> OTAError {
        switch kind {
        case .noUpdate: return .noUpdate(deviceID: sampleID, current: "3.5.0")
        case .versionNotOffered: return .versionNotOffered(deviceID: sampleID, wanted: "3.6.0", offered: "3.5.1")
        case .notInCloud: return .notInCloud(deviceID: sampleID)
        case .noSession: return .noSession
        case .refused: return .refused(deviceID: sampleID, code: 403)
        case .timedOut: return .timedOut(deviceID: sampleID, after: .seconds(120), lastSeen: "3.5.0")
        case .notNewer: return .notNewer(deviceID: sampleID, before: "3.5.0", after: "3.5.0")
        case .imageTooLarge: return .imageTooLarge(bytes: 600_000, limit: 520_192)
        case .unreadableImage: return .unreadableImage(path: "/tmp/fw.bin", reason: "no such file")
        case .notFirmwareImage: return .notFirmwareImage(path: "/tmp/fw.bin", firstByte: 0x7F)
        case .lan: return .lan(deviceID: sampleID, step: "upgrade", LANErrorKind.sample(.keyRejected))
        case .cloud: return .cloud(OTAError.CloudFailure(description: CloudKind.sample(.sessionExpired).description))
        }
    }
}
