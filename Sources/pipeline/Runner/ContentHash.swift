import Core
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Content hashes of files and directories, the identity the state file records.
///
/// Content, not modification times: `touch` of an unchanged raw log must not re-run a night's
/// training, and a restored backup with old mtimes but new bytes must. A directory hashes its
/// sorted entry names with each entry's kind and content (recursively), so renaming, adding or
/// removing a file changes it. Transient files of crashed writers (`.NAME.tmp-*`,
/// `.NAME.staging-*`, `NAME.old-*`) are skipped: they are not part of any published output.
enum ContentHash {
    /// The hash of what is at `path`, or nil when nothing is there.
    static func of(_ path: String) throws -> UInt64? {
        guard FilePath.exists(path) else { return nil }
        var hasher = XXHash64()
        try feed(path, into: &hasher)
        return hasher.digest
    }

    /// 16 hex digits, the form the state file stores (JSON numbers lose bits above 2^53).
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func isTransient(_ name: String) -> Bool {
        (name.hasPrefix(".") && (name.contains(".tmp-") || name.contains(".staging-"))) || name.contains(".old-")
    }

    private static func feed(_ path: String, into hasher: inout XXHash64) throws {
        if FilePath.isDirectory(path) {
            hasher.update(Array("D\u{0}".utf8))
            for name in FilePath.list(path) where !isTransient(name) {
                hasher.update(Array(name.utf8) + [0])
                try feed(FilePath.join(path, name), into: &hasher)
            }
        } else {
            var sub = XXHash64()
            var length: UInt64 = 0
            try streamFile(path) { chunk in
                sub.update(chunk)
                length += UInt64(chunk.count)
            }
            hasher.update([UInt8(ascii: "F")] + withUnsafeBytes(of: length.littleEndian, Array.init)
                          + withUnsafeBytes(of: sub.digest.littleEndian, Array.init))
        }
    }

    private static func streamFile(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AccfError.io(path, "cannot open for hashing: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AccfError.io(path, "read failed while hashing: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }
}
