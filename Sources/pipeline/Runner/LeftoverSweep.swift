import Core
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Removes the temporary files that writers killed mid-write left in a workdir.
///
/// Why: `AtomicFileWriter` and `DatabasePublisher` write to `.<name>.tmp-<pid>-<hex>` and rename
/// into place, so a kill -9 never damages a published file — but the half-written temporary
/// stays, and nothing ever reuses it (the next attempt picks a new name). A killed synth, train or
/// export leaves one raw log, checkpoint, model or database behind per kill; a scheduler that
/// kills a long run every night fills the disk. `AtomicDirectory` staging directories
/// (`.<name>.staging-<pid>`) of a killed ingest are the same kind of garbage.
///
/// Safe because it runs only while holding the workdir lock (every accf writer of the workdir
/// holds it), and a file whose pid is still alive is left alone anyway. Only these exact name
/// shapes are touched; `<name>.old-<pid>` directories are `AtomicDirectory.recover`'s to handle
/// (one may be the only copy of a published output).
enum LeftoverSweep {
    /// Removes leftovers under `root` (recursively, not following symlinks); returns the paths removed.
    @discardableResult
    static func sweep(_ root: String, depth: Int = 4) -> [String] {
        var removed: [String] = []
        visit(root, depth: depth, removed: &removed)
        return removed
    }

    private static func visit(_ directory: String, depth: Int, removed: inout [String]) {
        for name in FilePath.list(directory) {
            let path = FilePath.join(directory, name)
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
            if let pid = writerPID(of: name, directory: isDirectory), !isAlive(pid) {
                FilePath.removeTree(path)
                removed.append(path)
            } else if isDirectory && depth > 0 {
                visit(path, depth: depth - 1, removed: &removed)
            }
        }
    }

    /// The writer's pid when `name` is a temporary file (`.X.tmp-PID-HEX`, optionally with an
    /// SQLite `-journal`/`-wal`/`-shm` suffix) or a staging directory (`.X.staging-PID`).
    static func writerPID(of name: String, directory: Bool) -> pid_t? {
        guard name.hasPrefix(".") else { return nil }
        if directory {
            guard let range = name.range(of: ".staging-", options: .backwards) else { return nil }
            return pid(name[range.upperBound...])
        }
        guard let range = name.range(of: ".tmp-", options: .backwards) else { return nil }
        var rest = Substring(name[range.upperBound...])
        for suffix in ["-journal", "-wal", "-shm"] where rest.hasSuffix(suffix) { rest = rest.dropLast(suffix.count) }
        let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty, parts[1].allSatisfy(\.isHexDigit) else { return nil }
        return pid(parts[0])
    }

    private static func pid(_ digits: Substring) -> pid_t? {
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = pid_t(digits), value > 0 else { return nil }
        return value
    }

    /// Whether a process with this pid exists (EPERM: it exists but is not ours).
    static func isAlive(_ pid: pid_t) -> Bool {
        if pid == getpid() { return true }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
