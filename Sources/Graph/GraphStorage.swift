import Core

/// The memory behind a `NormalizedGraph`: buffers it owns, or a read-only file mapping.
///
/// Why one small type: every raw pointer of the graph lives here, and its lifetime is tied to
/// this object, which the graph and every `GraphArray` view retain.
final class GraphStorage: @unchecked Sendable {
    // Never nil, even for empty arrays (owned buffers hold at least one element), so kernels
    // need no special case for a graph without edges.
    let rowPointers: UnsafePointer<Int>
    let rowPointerCount: Int
    let columns: UnsafePointer<UInt32>
    let values: UnsafePointer<Float>
    let nonzeroCount: Int
    /// Owned allocations to free in deinit (empty for a mapped graph).
    private let allocations: [UnsafeMutableRawPointer]
    /// Keeps a mapping alive (nil for owned storage).
    private let mapping: MappedFile?

    /// Allocates zeroed buffers (at least one element each) for `fill` to write, then owns them.
    init(rowPointerCount: Int, nonzeroCount: Int,
         fill: (UnsafeMutableBufferPointer<Int>, UnsafeMutableBufferPointer<UInt32>, UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        let rp = UnsafeMutablePointer<Int>.allocate(capacity: max(1, rowPointerCount))
        rp.initialize(repeating: 0, count: max(1, rowPointerCount))
        let cols = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, nonzeroCount))
        cols.initialize(repeating: 0, count: max(1, nonzeroCount))
        let vals = UnsafeMutablePointer<Float>.allocate(capacity: max(1, nonzeroCount))
        vals.initialize(repeating: 0, count: max(1, nonzeroCount))
        rowPointers = UnsafePointer(rp)
        self.rowPointerCount = rowPointerCount
        columns = UnsafePointer(cols)
        values = UnsafePointer(vals)
        self.nonzeroCount = nonzeroCount
        allocations = [UnsafeMutableRawPointer(rp), UnsafeMutableRawPointer(cols), UnsafeMutableRawPointer(vals)]
        mapping = nil
        try fill(UnsafeMutableBufferPointer(start: rp, count: rowPointerCount),
                 UnsafeMutableBufferPointer(start: cols, count: nonzeroCount),
                 UnsafeMutableBufferPointer(start: vals, count: nonzeroCount))
    }

    /// Copies arrays into owned buffers.
    convenience init(rowPointers: [Int], columns: [UInt32], values: [Float]) {
        precondition(columns.count == values.count, "columns and values differ in length")
        self.init(rowPointerCount: rowPointers.count, nonzeroCount: columns.count) { rp, cols, vals in
            _ = rp.update(fromContentsOf: rowPointers)
            _ = cols.update(fromContentsOf: columns)
            _ = vals.update(fromContentsOf: values)
        }
    }

    /// Points into a mapping; offsets are byte offsets into `mapping.bytes`, 8-byte aligned.
    init(mapping: MappedFile, rowPointerOffset: Int, rowPointerCount: Int, columnOffset: Int, valueOffset: Int,
         nonzeroCount: Int) {
        precondition(mapping.bytes.count > 0, "empty mapping")
        let base = mapping.bytes.baseAddress.unsafelyUnwrapped
        func at<T>(_ offset: Int, _ type: T.Type) -> UnsafePointer<T> {
            precondition(offset % MemoryLayout<T>.alignment == 0, "misaligned graph section")
            return (base + offset).assumingMemoryBound(to: T.self)
        }
        rowPointers = at(rowPointerOffset, Int.self)
        self.rowPointerCount = rowPointerCount
        columns = at(columnOffset, UInt32.self)
        values = at(valueOffset, Float.self)
        self.nonzeroCount = nonzeroCount
        allocations = []
        self.mapping = mapping
    }

    deinit {
        for p in allocations { p.deallocate() }
    }

    /// The three sections as raw bytes (little-endian on every supported host).
    func withSections<R>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(UnsafeBufferPointer(start: rowPointers, count: rowPointerCount)),
                 UnsafeRawBufferPointer(UnsafeBufferPointer(start: columns, count: nonzeroCount)),
                 UnsafeRawBufferPointer(UnsafeBufferPointer(start: values, count: nonzeroCount)))
    }
}
