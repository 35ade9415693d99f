import ArgumentParser
import EWeLink
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a command takes a devicekey from: the command line, where every local user sees it in
/// `ps`, or, kept out of it, standard input or a file (as `login` takes the password).
struct DeviceKeyInput: ParsableArguments {
    @Option(help: "The devicekey. Other local users can see it in `ps`: prefer --devicekey-stdin or --devicekey-file.")
    var devicekey: String?

    @Flag(help: "Read the devicekey from standard input (its first line).")
    var devicekeyStdin = false

    @Option(help: "Read the devicekey from the first line of a file of yours (not a symbolic link, mode 600).")
    var devicekeyFile: String?

    /// The key given one of the three ways, nil when none was; an empty `--devicekey ""` stays
    /// empty (for `devices add`: forget the key).
    func resolve() throws -> String? {
        guard [devicekey != nil, devicekeyStdin, devicekeyFile != nil].filter({ $0 }).count <= 1 else {
            throw fail("give the devicekey one way only: --devicekey, --devicekey-stdin or --devicekey-file")
        }
        if devicekeyStdin {
            guard let key = readLine(strippingNewline: true).flatMap({ Self.firstLine(Array($0.utf8)) }) else {
                throw fail("no devicekey on standard input")
            }
            return key
        }
        if let devicekeyFile {
            let bytes: [UInt8]?
            do { bytes = try AtomicFile.readPrivate(devicekeyFile, tighten: false) } catch {
                throw fail("cannot use the devicekey file: \(error)")
            }
            guard let bytes else { throw fail("cannot use the devicekey file \(devicekeyFile): no such file") }
            guard let key = Self.firstLine(bytes) else { throw fail("the devicekey file \(devicekeyFile) is empty") }
            return key
        }
        return devicekey
    }

    /// The required key: one of the three ways must give it.
    func required() throws -> String {
        guard let key = try resolve(), !key.isEmpty else {
            throw fail("give the devicekey: --devicekey-stdin, --devicekey-file FILE or --devicekey KEY")
        }
        return key
    }

    /// The first line, without surrounding blanks; nil when there is none.
    static func firstLine(_ bytes: [UInt8]) -> String? {
        let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first
            .map { $0.trimmingBlanks }
        return line.flatMap { $0.isEmpty ? nil : $0 }
    }
}
