@_exported import EWeLinkLAN

/// The version of this package.
public enum EWeLinkVersion {
    public static let current = "0.1.0"
}
