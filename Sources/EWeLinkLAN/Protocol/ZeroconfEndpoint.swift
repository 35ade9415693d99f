/// The `<endpoint>` of `POST /zeroconf/<endpoint>`: the protocol's names are lower-case ASCII
/// letters and `_` (`switch`, `switches`, `pulse`, `sledonline`, `signal_strength`, `ota_unlock`).
/// Anything else is refused before a byte is sent: the name goes into the request line, so a
/// space, `?`, `#` or CR LF would change the request (or add headers and a second request).
package enum ZeroconfEndpoint {
    /// The longest name accepted (the protocol's longest is 15).
    package static let maxLength = 32

    /// Whether `name` has the protocol's form: 1…32 ASCII letters and `_` (most are lower-case;
    /// `getState`, `uiActive` and `getHoursKwh` are camel-case in real use).
    package static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        return !bytes.isEmpty && bytes.count <= maxLength && bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x41...0x5A).contains($0) || $0 == 0x5F }
    }
}
