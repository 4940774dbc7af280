#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file, unmapped when the last reference goes.
///
/// Opening a large graph or checkpoint costs no copy; pages come in as they are touched.
public final class MappedFile: @unchecked Sendable {
    /// The mapped path, for error messages.
    public let path: String
    /// The file's bytes; valid while this object lives.
    public let bytes: UnsafeRawBufferPointer

    /// Maps `path`; throws exit 66 when it is missing, 74 when it cannot be mapped.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw AccfError.missingInput(path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw AccfError.io(path, "stat failed: \(String(cString: strerror(errno)))") }
        let size = Int(st.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw AccfError.io(path, "mmap failed: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
