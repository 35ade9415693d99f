#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Whose the folder and files holding secrets are. Anyone who can write into the folder could
/// plant a store pointing commands at their own address with their own key, or a symbolic link
/// that a later open would follow; so nothing there is read, written or locked before it is
/// known to be ours.
extension AtomicFile {
    /// Checks a folder of secrets before anything in it is read or written: it must be a directory
    /// of ours. One open to others (0755, 0777) is tightened to 0700; a shared sticky one like
    /// /tmp, or one of another user, is refused. Returns false when it does not exist.
    @discardableResult
    package static func checkDirectory(_ directory: String) throws(Failure) -> Bool {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            if errno == ENOENT { return false }
            throw .io(path: directory, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .io(path: directory, reason: "not a directory") }
        let mode = info.st_mode & 0o7777
        guard info.st_uid == geteuid() else {
            throw .unsafe(path: directory, reason: "the folder belongs to another user (uid \(info.st_uid), mode "
                + "\(String(mode, radix: 8))), who could plant devices, keys or links in it: use a folder of your own")
        }
        guard mode & 0o077 != 0 else { return true }
        guard mode & 0o1000 == 0 else {
            throw .unsafe(path: directory, reason: "the folder is shared (mode \(String(mode, radix: 8)), like /tmp): "
                + "use a folder of your own")
        }
        guard chmod(directory, mode & 0o7700) == 0 else {
            throw .io(path: directory, reason: "cannot make the folder private (chmod 700): \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// The bytes of a file holding secrets, or nil when there is none. It is opened without
    /// following a symbolic link and must be a regular file of ours; one open to others is made
    /// 0600 (`tighten`), or refused (a file the user gave, which is theirs to change).
    package static func readPrivate(_ path: String, tighten: Bool = true) throws(Failure) -> [UInt8]? {
        // O_NONBLOCK: a FIFO planted under the name must not hang the open before it is refused.
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw openFailure(path)
        }
        defer { close(fd) }
        try checkOwned(fd, path: path, tighten: tighten)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n == 0 { return bytes }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: String(cString: strerror(errno)))
            }
            bytes += chunk[0..<n]
        }
    }

    /// Opens (creating it, mode 0600) the lock file of a file of secrets, never through a symbolic
    /// link: a planted link would otherwise make us create a file wherever it points.
    package static func openLock(_ path: String) throws(Failure) -> Int32 {
        let fd = open(path, O_CREAT | O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw openFailure(path) }
        do { try checkOwned(fd, path: path) } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// A regular file of ours; taken to 0600 (`tighten`) or refused when others may read it.
    static func checkOwned(_ fd: Int32, path: String, tighten: Bool = true) throws(Failure) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .unsafe(path: path, reason: "it is not a regular file") }
        guard info.st_uid == geteuid() else {
            throw .unsafe(path: path, reason: "the file belongs to another user (uid \(info.st_uid)), who could have put "
                + "their own devices and keys in it: check it, then remove it or take it over (chown)")
        }
        let mode = info.st_mode & 0o7777
        guard mode & 0o077 != 0 else { return }
        guard tighten else {
            throw .unsafe(path: path, reason: "others can read it (mode \(String(mode, radix: 8))): chmod 600 it")
        }
        if fchmod(fd, 0o600) != 0 {
            throw .io(path: path, reason: "cannot make the file private (chmod 600): \(String(cString: strerror(errno)))")
        }
    }

    private static func openFailure(_ path: String) -> Failure {
        let code = errno
        if code == ELOOP { return .unsafe(path: path, reason: "it is a symbolic link; the files here are never opened through one") }
        return .io(path: path, reason: String(cString: strerror(code)))
    }
}
