#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A zeroed float buffer aligned to 2 MiB and, on Linux, backed by transparent huge pages.
///
/// Why: SpMM gathers one random d-wide row of X per nonzero. With 4 KiB pages a 70k × 64 float
/// matrix spans ~4,400 pages, more than the TLB holds, so most gathers also pay a page walk;
/// with 2 MiB pages the whole matrix needs nine TLB entries. Linux's default THP mode here is
/// `madvise`, so the buffer asks for huge pages before it is first touched. Where the request
/// is refused (other kernels, macOS) it is an ordinary aligned buffer: correctness never depends
/// on it.
final class HugePageBuffer: @unchecked Sendable {
    static let alignment = 1 << 21
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        let bytes = max(1, (count * MemoryLayout<Float>.stride + Self.alignment - 1) / Self.alignment * Self.alignment)
        var raw: UnsafeMutableRawPointer?
        if posix_memalign(&raw, Self.alignment, bytes) != 0 || raw == nil {
            raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            self.ownedBySwift = true
        } else {
            self.ownedBySwift = false
            #if os(Linux)
            _ = madvise(raw, bytes, MADV_HUGEPAGE)  // best effort
            #endif
        }
        pointer = raw.unsafelyUnwrapped.bindMemory(to: Float.self, capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
        self.count = count
    }

    private let ownedBySwift: Bool

    deinit {
        if ownedBySwift { UnsafeMutableRawPointer(pointer).deallocate() } else { free(pointer) }
    }
}
