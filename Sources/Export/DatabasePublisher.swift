#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Core

/// Publishes a database file atomically: built under a temporary name beside the destination,
/// then fsync, rename over the destination, fsync the directory.
///
/// Why this shape: services keep the exported file open while a new one is produced. rename(2)
/// swaps the directory entry in one step, so a reader that opened the old file keeps its inode
/// (and a consistent old database), and every open after the rename sees the new file whole.
/// A crash at any point leaves the old file untouched plus at most one temporary file.
///
/// Leftovers: the temporary file is held under an exclusive `flock(2)` for as long as its writer
/// lives; the kernel drops the lock when the process dies (even on kill -9). The next run removes
/// every `.<name>.tmp-*` file it can lock — so a crashed run's leftover goes, and a concurrent
/// writer's file (still locked) stays. No pid files, no guessing from ages.
public final class DatabasePublisher {
    /// Where the database appears.
    public let destination: String
    /// The temporary file the database is built in.
    public let temporaryPath: String
    /// Leftovers of crashed runs removed when this publisher was created.
    public let removedLeftovers: [String]
    private var lockFD: Int32
    private var finished = false

    /// A failure injected between the fsync and the rename, as a crash there would leave things
    /// (tests only: the temporary file stays on disk, its lock is released, nothing is renamed).
    enum Failpoint: Sendable { case beforeRename }

    /// Removes leftovers, then creates the (empty) temporary file and locks it.
    /// A missing or unwritable destination directory, or a destination that is a directory, is exit 73.
    public init(destination: String) throws {
        self.destination = destination
        let directory = FilePath.directory(of: destination)
        if FilePath.isDirectory(destination) {
            throw AccfError.cannotCreate(destination, "it is a directory; give a file path such as \(FilePath.join(destination, "recommendations.sqlite"))")
        }
        try FilePath.createDirectories(directory)
        removedLeftovers = DatabasePublisher.removeLeftovers(of: destination)
        var seed = SeededGenerator(seed: UInt64(UInt32(bitPattern: getpid())) << 32 ^ UInt64(time(nil)) ^ UInt64(clock()))
        let base = FilePath.lastComponent(of: destination)
        var path = ""
        var fd: Int32 = -1
        for _ in 0..<8 {
            path = FilePath.join(directory, ".\(base).tmp-\(getpid())-\(String(seed.next() & 0xFFFF_FFFF, radix: 16))")
            fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        if fd < 0 {
            let code = errno
            if code == ENOSPC || code == EDQUOT || code == EIO {
                throw AccfError.io(destination, "cannot create a temporary file in \(directory): \(String(cString: strerror(code)))")
            }
            throw AccfError.cannotCreate(destination, "cannot create a temporary file in \(directory): \(String(cString: strerror(code)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(path)
            throw AccfError.io(path, "cannot lock the temporary file: \(reason)")
        }
        temporaryPath = path
        lockFD = fd
    }

    deinit {
        if !finished { discard() }
    }

    /// The names `.<base>.tmp-*` beside `destination` (temporary databases and their journals).
    static func temporaryNames(of destination: String) -> [String] {
        let prefix = ".\(FilePath.lastComponent(of: destination)).tmp-"
        return FilePath.list(FilePath.directory(of: destination)).filter { $0.hasPrefix(prefix) }
    }

    /// Removes the temporary files of dead writers; returns the paths removed.
    static func removeLeftovers(of destination: String) -> [String] {
        let directory = FilePath.directory(of: destination)
        var removed: [String] = []
        for name in temporaryNames(of: destination) {
            // Sidecars (-journal, -wal, -shm) belong to the database file they extend.
            var owner = name
            for suffix in ["-journal", "-wal", "-shm"] where owner.hasSuffix(suffix) {
                owner.removeLast(suffix.count)
            }
            let ownerPath = FilePath.join(directory, owner)
            let path = FilePath.join(directory, name)
            if owner != name && FilePath.exists(ownerPath) {
                continue  // decided together with its database below (or already removed)
            }
            if owner == name {
                let fd = open(path, O_RDWR | O_CLOEXEC)
                if fd >= 0 {
                    let free = flock(fd, LOCK_EX | LOCK_NB) == 0
                    if !free { close(fd); continue }  // a live writer holds it
                    for suffix in ["-journal", "-wal", "-shm"] where FilePath.exists(path + suffix) {
                        unlink(path + suffix)
                        removed.append(path + suffix)
                    }
                    unlink(path)
                    close(fd)
                    removed.append(path)
                    continue
                }
            }
            if unlink(path) == 0 { removed.append(path) }
        }
        if !removed.isEmpty { FilePath.syncDirectory(directory) }
        return removed
    }

    /// Flushes the finished temporary database to disk, renames it over the destination, and
    /// flushes the directory. The database connection must be closed before this.
    public func publish() throws {
        try publish(failpoint: nil)
    }

    func publish(failpoint: Failpoint?) throws {
        guard !finished else { throw AccfError.internalError("\(destination): published twice") }
        for suffix in ["-journal", "-wal", "-shm"] where FilePath.exists(temporaryPath + suffix) {
            throw AccfError.internalError("\(temporaryPath)\(suffix) still exists: the database was not closed cleanly")
        }
        if fsync(lockFD) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw AccfError.io(destination, "fsync of \(temporaryPath) failed: \(reason)")
        }
        if failpoint == .beforeRename {
            // As a crash would: the lock goes with the process, the temporary file stays.
            close(lockFD)
            lockFD = -1
            finished = true
            throw AccfError.io(destination, "simulated crash before rename (test failpoint)")
        }
        if rename(temporaryPath, destination) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw AccfError.cannotCreate(destination, "rename into place failed: \(reason)")
        }
        FilePath.syncDirectory(FilePath.directory(of: destination))
        close(lockFD)
        lockFD = -1
        finished = true
    }

    /// Abandons the build: the temporary file (and any sidecar) is removed, the destination untouched.
    public func discard() {
        for suffix in ["-journal", "-wal", "-shm"] { unlink(temporaryPath + suffix) }
        unlink(temporaryPath)
        if lockFD >= 0 { close(lockFD); lockFD = -1 }
        finished = true
    }
}
