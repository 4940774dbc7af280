#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Publishes a directory of outputs all at once: readers see the old set or the new set.
///
/// A stage writes into `staging(for:)`, then calls `publish`. Linux's `renameat2(RENAME_EXCHANGE)`
/// is not exposed to Swift's Glibc module, so the swap is two renames: the old directory moves to
/// `<dest>.old-<pid>`, the new one into place, the old one is removed. A crash between the two
/// renames leaves no `<dest>` but a complete `<dest>.old-*`; `recover(_:)` (called by `publish`
/// and by readers' `prepare`) moves it back, so the previous output is never lost.
public enum AtomicDirectory {
    /// A fresh, empty staging directory beside `destination` (same filesystem).
    public static func staging(for destination: String) throws -> String {
        let parent = FilePath.directory(of: destination)
        try FilePath.createDirectories(parent)
        recover(destination)
        let base = FilePath.lastComponent(of: destination)
        // Leftovers of crashed runs are garbage by definition: nothing published them.
        for name in FilePath.list(parent) where name.hasPrefix(".\(base).staging-") {
            FilePath.removeTree(FilePath.join(parent, name))
        }
        let path = FilePath.join(parent, ".\(base).staging-\(getpid())")
        if mkdir(path, 0o755) != 0 {
            throw AccfError.cannotCreate(path, String(cString: strerror(errno)))
        }
        return path
    }

    /// Replaces `destination` with `staging` (both directories, same parent).
    public static func publish(staging: String, to destination: String) throws {
        let parent = FilePath.directory(of: destination)
        for name in FilePath.list(staging) {
            let fd = open(FilePath.join(staging, name), O_RDONLY | O_CLOEXEC)
            if fd >= 0 { _ = fsync(fd); close(fd) }
        }
        FilePath.syncDirectory(staging)
        recover(destination)
        var old: String?
        if FilePath.exists(destination) {
            let aside = "\(destination).old-\(getpid())"
            FilePath.removeTree(aside)
            if rename(destination, aside) != 0 {
                throw AccfError.io(destination, "cannot move the previous output aside: \(String(cString: strerror(errno)))")
            }
            old = aside
        }
        if rename(staging, destination) != 0 {
            let reason = String(cString: strerror(errno))
            if let old { _ = rename(old, destination) }
            throw AccfError.io(destination, "cannot publish the new output: \(reason)")
        }
        FilePath.syncDirectory(parent)
        if let old { FilePath.removeTree(old) }
    }

    /// Restores `<dest>.old-*` when a crash left no `<dest>`; removes stale ones otherwise.
    public static func recover(_ destination: String) {
        let parent = FilePath.directory(of: destination)
        let base = FilePath.lastComponent(of: destination)
        let olds = FilePath.list(parent).filter { $0.hasPrefix("\(base).old-") }
        for (k, name) in olds.enumerated() {
            let path = FilePath.join(parent, name)
            if k == 0 && !FilePath.exists(destination) {
                _ = rename(path, destination)
            } else {
                FilePath.removeTree(path)
            }
        }
    }
}
