#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Files holding secrets (device keys, tokens): written to a temp file with mode 0600 in the same
/// folder, fsynced, then renamed over the old one, so readers see the old or the new file, never half.
package enum AtomicFile {
    package enum Failure: Error, Sendable, CustomStringConvertible {
        case io(path: String, reason: String)
        /// The folder or file could be controlled by another user (theirs, a symbolic link, not a
        /// regular file, a shared folder): it is neither read nor written.
        case unsafe(path: String, reason: String)
        package var description: String {
            switch self {
            case .io(let path, let reason): return "\(path): \(reason)"
            case .unsafe(let path, let reason): return "refusing \(path): \(reason)"
            }
        }
    }

    /// Creates `directory` (mode 0700) when missing; an existing one must pass `checkDirectory`.
    package static func ensureDirectory(_ directory: String) throws(Failure) {
        if try checkDirectory(directory) { return }
        // mkdir -p, each new folder 0700 whatever the umask; the reason is the system's (strerror).
        var folder = directory.hasPrefix("/") ? "" : "."
        for part in directory.split(separator: "/") {
            folder += "/" + part
            if mkdir(folder, 0o700) == 0 {
                chmod(folder, 0o700)
            } else if errno != EEXIST {
                throw .io(path: directory, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Writes `bytes` to `path` atomically (mode 0600). Temp files that writers killed mid-write
    /// left beside it are removed first (`removeStaleTemps`).
    package static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        removeStaleTemps(of: path)
        let temp = "\(path)\(tempMarker)\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0o600)
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

    /// What follows a file's name in the name of its temp files: `devices.json.tmp-PID-RANDOM`.
    static let tempMarker = ".tmp-"
}
