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

    /// Creates `directory` (mode 0700) when missing. An existing one open to others (0755, say)
    /// is tightened to 0700 when it is ours, and refused when it is not: the files in it hold keys.
    public static func ensureDirectory(_ directory: String) throws(Failure) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) {
            guard isDir.boolValue else { throw .io(path: directory, reason: "not a directory") }
            try tighten(directory)
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .io(path: directory, reason: error.localizedDescription)
        }
    }

    /// Takes group and other permissions off a folder of ours; refuses a folder of another user
    /// that others can enter.
    static func tighten(_ directory: String) throws(Failure) {
        var info = stat()
        guard stat(directory, &info) == 0 else { throw .io(path: directory, reason: String(cString: strerror(errno))) }
        let mode = info.st_mode & 0o7777
        guard mode & 0o077 != 0 else { return }
        guard info.st_uid == getuid() else {
            throw .io(path: directory, reason: "the folder has mode \(String(mode, radix: 8)) and belongs to another user; "
                + "it would expose device keys and tokens: set EWELINK_HOME to a folder of your own")
        }
        guard chmod(directory, mode & 0o7700) == 0 else {
            throw .io(path: directory, reason: "cannot make the folder private (chmod 700): \(String(cString: strerror(errno)))")
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
