import EWeLink
import EWeLinkCloud
import EWeLinkLAN

extension HubFailure {
    /// What a failure lacks or what went wrong, by name: how a front end picks its advice
    /// (which command to run, which option to give) for a failure whose text is the library's.
    /// Only failures with a remedy have one.
    public enum Reason: String, Sendable, Equatable, CaseIterable {
        /// No device by that name or id in the store, and none announced on the LAN.
        case unknownDevice
        /// The device encrypts its LAN API and no devicekey is known for it.
        case deviceKeyMissing
        /// The device answered 401: it needs its devicekey.
        case deviceKeyNeeded
        /// The device could not decrypt our request: the stored devicekey is wrong.
        case deviceKeyWrong
        /// No LAN address is known and mDNS did not find the device.
        case noAddress
        /// The host at the address did not prove it is the device.
        case addressUnproven
        /// Several services claim a device without a key.
        case addressContested
        /// The device is set to go through the cloud and there is no cloud session.
        case cloudSessionNeeded
        /// The endpoint has no cloud equivalent and the device is set to go through the cloud.
        case endpointNeedsLAN
        /// No cloud session.
        case notLoggedIn
        /// The cloud session ended; a new login is needed.
        case sessionExpired
        /// No app id and secret for the cloud.
        case missingAppCredentials
        /// The cloud's answer was too large: the API base URL or a proxy is wrong.
        case cloudAnswerTooLarge
        /// No trusted TLS session, or unusable TLS settings: the API base URL or the trusted CAs
        /// are to be checked.
        case cloudConnectionSettings
        /// The store was written in a newer format than this version knows.
        case newerStoreFormat
        /// The store's folder or a file in it could be controlled by another user.
        case storeUnsafe
        /// The device has no cloud record in the store (its apikey and model).
        case notInCloud
        /// The file is not a firmware image; forcing sends it anyway.
        case notFirmwareImage
        /// The address range is larger than scanned without being forced.
        case rangeNeedsForce

    }
}

extension HubFailure.Reason {
    /// A reason and the id of the device it is about (when the advice names the device).
    public typealias Cause = (reason: Self, deviceID: String?)

    /// Why a command failed, when a front end has advice for it.
    public static func of(_ error: ControlError) -> Cause? {
        switch error {
        case .unknownDevice: return (.unknownDevice, nil)
        case .noCloudSession: return (.cloudSessionNeeded, nil)
        case .endpointNeedsLAN: return (.endpointNeedsLAN, nil)
        case .lan(let e): return of(e)
        case .store(let e): return of(e).map { ($0, nil) }
        case .cloud(let e, _): return of(e).map { ($0, nil) }
        case .invalidRequest, .stateUnknown, .mdns: return nil
        }
    }

    /// Why a LAN exchange failed, when a front end has advice for it.
    public static func of(_ error: LANError) -> Cause? {
        switch error {
        case .lanError(let code, let id): return code == 401 ? (.deviceKeyNeeded, id) : nil
        case .deviceKeyMissing(let id): return (.deviceKeyMissing, id)
        case .keyRejected(let id): return (.deviceKeyWrong, id)
        case .noAddress(let id): return (.noAddress, id)
        case .addressUnproven(let id, _, _, _): return (.addressUnproven, id)
        case .addressContested(let id, _): return (.addressContested, id)
        case .lanRefused, .lanTimeout, .lanReset, .invalidReply, .replyTooLarge, .decryptionFailed, .transport,
             .superseded, .invalidEndpoint, .cancelled:
            return nil
        }
    }

    /// Why a cloud call failed, when a front end has advice for it.
    public static func of(_ error: CloudError) -> Self? {
        switch error {
        case .notLoggedIn: return .notLoggedIn
        case .sessionExpired: return .sessionExpired
        case .missingAppCredentials: return .missingAppCredentials
        case .responseTooLarge: return .cloudAnswerTooLarge
        case .tls, .settings: return .cloudConnectionSettings
        case .api, .rateLimited, .regionLoop, .transport, .invalidResponse, .tokenStore, .deviceOffline:
            return nil
        }
    }

    /// Why the store could not be used, when a front end has advice for it.
    public static func of(_ error: DeviceStoreError) -> Self? {
        switch error {
        case .newerFormat: return .newerStoreFormat
        case .unsafe: return .storeUnsafe
        case .corrupt, .invalidRecord, .io, .insecurePermissions: return nil
        }
    }

    /// Why a firmware update did not happen, when a front end has advice for it.
    public static func of(_ error: OTAError) -> Cause? {
        switch error {
        case .notInCloud(let id): return (.notInCloud, id)
        case .noSession: return (.notLoggedIn, nil)
        case .notFirmwareImage: return (.notFirmwareImage, nil)
        case .lan(_, _, let e): return of(e)
        case .noUpdate, .versionNotOffered, .refused, .timedOut, .notNewer, .imageTooLarge, .unreadableImage, .cloud:
            return nil
        }
    }

    /// Why an address range was refused, when a front end has advice for it.
    public static func of(_ error: AddressRange.Failure) -> Self? {
        if case .tooLarge(_, _, _, forcible: true) = error { return .rangeNeedsForce }
        return nil
    }
}
