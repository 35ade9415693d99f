import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files holding secrets (device keys, tokens): written to a temp file with mode 0600 in the same
/// folder, fsynced, then renamed over the old one, so readers see the old or the new file, never half.
public enum AtomicFile {
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case io(path: String, reason: String)
        public var description: String {
            switch self { case .io(let path, let reason): return "\(path): \(reason)" }
        }
    }

    /// Creates `directory` (mode 0700) when missing.
    public static func ensureDirectory(_ directory: String) throws(Failure) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) {
            guard isDir.boolValue else { throw .io(path: directory, reason: "not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .io(path: directory, reason: error.localizedDescription)
        }
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let temp = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: temp, reason: String(cString: strerror(errno))) }
        var ok = true
        bytes.withUnsafeBytes { buf in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n <= 0 { ok = false; break }
                offset += n
            }
        }
        if ok { ok = fsync(fd) == 0 }
        close(fd)
        guard ok, rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw .io(path: path, reason: reason)
        }
    }
}
