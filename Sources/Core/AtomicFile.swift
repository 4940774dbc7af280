#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers and crashes only ever see the old content or the new, whole.
///
/// Bytes go to a temporary name in the destination's directory (same filesystem, so the rename
/// is atomic), then fsync, rename over the destination, and fsync the directory so the rename
/// itself survives a power loss. A failed write (disk full) removes the temporary file and
/// throws exit-74 I/O errors; the destination is never touched.
public final class AtomicFileWriter {
    /// Where the file will appear.
    public let destination: String
    /// The temporary file being written.
    public let temporaryPath: String
    private var fd: Int32
    private var finished = false

    /// Opens a temporary file beside `destination`.
    public init(destination: String) throws {
        self.destination = destination
        let dir = FilePath.directory(of: destination)
        let base = FilePath.lastComponent(of: destination)
        var rng = SeededGenerator(seed: UInt64(UInt32(bitPattern: getpid())) &* 0x1_0000 ^ UInt64(clock()) ^ UInt64(time(nil)))
        temporaryPath = "\(dir)/.\(base).tmp-\(getpid())-\(String(rng.next() & 0xFFFF_FFFF, radix: 16))"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 {
            let reason = String(cString: strerror(errno))
            if errno == ENOENT || errno == EACCES || errno == EROFS || errno == ENOTDIR {
                throw AccfError.cannotCreate(destination, reason)
            }
            throw AccfError.io(destination, "cannot open a temporary file: \(reason)")
        }
    }

    deinit {
        if !finished { discard() }
    }

    /// Appends bytes; a short or failed write throws (exit 74) and discards the temporary file.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Glibc_write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                discard()
                throw AccfError.io(destination, "write failed: \(reason)")
            }
            left -= n
            p += n
        }
    }

    /// Appends the bytes of an array.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Flushes to disk and renames into place. After this, the destination holds the new bytes.
    public func commit() throws {
        guard !finished else { return }
        if fsync(fd) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw AccfError.io(destination, "fsync failed: \(reason)")
        }
        close(fd)
        fd = -1
        if rename(temporaryPath, destination) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw AccfError.io(destination, "rename into place failed: \(reason)")
        }
        finished = true
        FilePath.syncDirectory(FilePath.directory(of: destination))
    }

    /// Abandons the write: the temporary file is removed, the destination untouched.
    public func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporaryPath)
        finished = true
    }

    /// Writes `bytes` to `path` atomically in one call.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let w = try AtomicFileWriter(destination: path)
        try w.write(bytes)
        try w.commit()
    }
}

@inline(__always) private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, p, n)
}
