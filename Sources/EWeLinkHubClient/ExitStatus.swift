import EWeLink
import EWeLinkCloud
import EWeLinkLAN

/// Exit codes of every subcommand (also in `ewelink --help`).
public enum ExitStatus {
    /// Any other failure.
    public static let failure: Int32 = 1
    /// Bad input: unreadable base64, wrong key material, malformed JSON or TXT, bad channel.
    public static let badInput: Int32 = 2
    /// No such device in the store or on the LAN.
    public static let unknownDevice: Int32 = 3
    /// The device did not answer (refused, timed out, reset, no address).
    public static let unreachable: Int32 = 4
    /// The device answered with an error code.
    public static let deviceError: Int32 = 5
    /// No avahi-daemon or no D-Bus.
    public static let mdnsUnavailable: Int32 = 6
    /// The device store is corrupt or cannot be written.
    public static let store: Int32 = 7
    /// The devicekey is missing or wrong.
    public static let key: Int32 = 8
    /// The cloud refused or could not be reached (login, sync).
    public static let cloud: Int32 = 9

    /// The exit statuses in one paragraph, for `--help`.
    public static let help = """
        Exit status: 0 ok, 2 bad input, 3 unknown device, 4 device unreachable, 5 device answered an error, \
        6 no avahi-daemon/D-Bus, 7 device store problem, 8 devicekey missing or wrong, 9 cloud error, 1 other failures.
        """

    /// The exit status of a failed command (the same with and without the hub).
    public static func code(for error: ControlError) -> Int32 {
        switch error {
        case .unknownDevice: return unknownDevice
        case .invalidRequest, .noCloudSession, .endpointNeedsLAN: return badInput
        case .stateUnknown: return failure
        case .store: return store
        case .mdns: return mdnsUnavailable
        case .cloud: return unreachable
        case .lan(let e):
            switch e {
            case .lanRefused, .lanTimeout, .lanReset, .noAddress, .transport, .invalidReply, .replyTooLarge,
                 .addressUnproven, .addressContested:
                return unreachable
            case .superseded, .cancelled: return failure
            case .invalidEndpoint: return badInput
            case .lanError: return deviceError
            case .deviceKeyMissing, .decryptionFailed, .keyRejected: return key
            }
        }
    }
}
