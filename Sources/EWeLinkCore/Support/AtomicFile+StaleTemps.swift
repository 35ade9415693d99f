#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Temp files of writers that died mid-write (SIGKILL, power loss): each is a full copy of the
/// secrets, so the next write removes them rather than leaving them forever.
extension AtomicFile {
    /// Removes `path`'s temp files (`NAME.tmp-PID-RANDOM`) whose writer is no longer running. A
    /// temp file of a live process is being written right now and is left alone, as is anything
    /// that is not a regular file of ours.
    package static func removeStaleTemps(of path: String) {
        let folder = path.pathFolder
        let prefix = path.pathLastComponent + tempMarker
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = writerPID(name.dropFirst(prefix.count)), !isRunning(pid) else { continue }
            let full = (folder.isEmpty ? "" : folder + "/") + name
            var info = stat()
            guard lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid() else { continue }
            unlink(full)
        }
    }

    /// The pid in `PID-RANDOM`.
    static func writerPID(_ suffix: Substring) -> pid_t? {
        let parts = suffix.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, UInt32(parts[1]) != nil, let pid = pid_t(parts[0]), pid > 0 else { return nil }
        return pid
    }

    /// Whether a process with this id exists (EPERM: it does, as another user's).
    static func isRunning(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
