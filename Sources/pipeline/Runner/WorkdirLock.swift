import Core
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One accf run (or stage command) per work directory: an exclusive `flock(2)` on `<workdir>/accf.lock`.
///
/// Why flock on an open descriptor and not a pid file: the kernel drops the lock when the process
/// dies, even by kill -9 or a reboot, so a crashed run never blocks the next night's (DVC learned
/// this the hard way). The lock file itself is never deleted (deleting it would let two runs lock
/// two different inodes). Stage commands run alone call `acquire` too, so a workflow runner's
/// `accf train` cannot race a cron `accf run` on the same workdir.
final class WorkdirLock {
    /// The lock file's name inside the workdir.
    static let fileName = "accf.lock"

    let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { release() }

    /// Takes the lock, creating the workdir if needed. Without `wait`, a held lock throws exit 75
    /// at once; with `wait`, blocks until the other run ends.
    static func acquire(workdir: String, wait: Bool) throws -> WorkdirLock {
        try FilePath.createDirectories(workdir)
        let path = FilePath.join(workdir, fileName)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AccfError.cannotCreate(path, errno: errno) }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK {
                throw AccfError(.temporaryFailure, "\(workdir): another accf run is using this workdir",
                                hint: "retry later, or pass --wait to wait for it")
            }
            throw AccfError.io(path, "flock failed: \(String(cString: strerror(code)))")
        }
        return WorkdirLock(path: path, fd: fd)
    }

    /// Whether some process holds the lock right now (for `accf status`); never blocks, never creates.
    static func isHeld(workdir: String) -> Bool {
        let path = FilePath.join(workdir, fileName)
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            _ = flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    /// Releases the lock (also done on deinit and, by the kernel, on exit).
    func release() {
        if fd >= 0 {
            _ = flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }
}
