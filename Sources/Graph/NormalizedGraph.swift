import Core

/// The normalized bipartite adjacency Â = D^-1/2 A D^-1/2 in CSR form, A = [[0, R], [Rᵀ, 0]].
///
/// Nodes 0..<userCount are users, userCount..<nodeCount are items. Â is symmetric, so the same
/// matrix serves LightGCN's forward and backward propagation. Rows with degree 0 are empty.
///
/// Why a class over borrowed memory rather than three arrays: a graph opened with
/// `GraphFile.read` points straight into the memory-mapped file (opening a large graph costs no
/// copy), while one made by `GraphBuilder` owns its buffers. Both look the same to callers; the
/// arrays are exposed as `GraphArray` views that keep the storage alive.
public final class NormalizedGraph: @unchecked Sendable {
    /// Users are nodes 0..<userCount.
    public let userCount: Int
    /// Items are nodes userCount..<nodeCount.
    public let itemCount: Int
    /// Row pointers, nodeCount + 1 entries; row r holds nonzeros rowPointers[r]..<rowPointers[r+1].
    public let rowPointers: GraphArray<Int>
    /// Column (node) index per nonzero; sorted ascending within each row.
    public let columns: GraphArray<UInt32>
    /// Value per nonzero: 1/sqrt(deg(row)·deg(column)).
    public let values: GraphArray<Float>
    /// Identifies the graph: XXH64 over the counts and the three arrays (checkpoints refuse another).
    public let contentHash: UInt64
    /// The content hash of the dataset the graph was built from (0 when unknown), for staleness checks.
    public let datasetHash: UInt64

    /// Number of nodes (users + items).
    public var nodeCount: Int { userCount + itemCount }
    /// Number of stored nonzeros (twice the number of train interactions).
    public var nonzeroCount: Int { columns.count }
    /// Number of undirected edges (train interactions).
    public var edgeCount: Int { nonzeroCount / 2 }

    /// Degree of node `r` (its number of neighbours; A is binary).
    public func degree(of r: Int) -> Int { rowPointers[r + 1] - rowPointers[r] }

    /// Degree statistics of the users and of the items.
    public var userDegrees: DegreeSummary { DegreeSummary(rowPointers: rowPointers, rows: 0..<userCount) }
    /// Degree statistics of the items.
    public var itemDegrees: DegreeSummary { DegreeSummary(rowPointers: rowPointers, rows: userCount..<nodeCount) }
    /// Degree statistics over all nodes.
    public var allDegrees: DegreeSummary { DegreeSummary(rowPointers: rowPointers, rows: 0..<nodeCount) }

    /// A graph over the given CSR arrays (copied into owned storage), e.g. for tests or tools.
    ///
    /// Checks the CSR structure (row pointers monotone from 0 to nnz, columns < nodeCount) with
    /// preconditions; it does not check symmetry or normalization — `GraphBuilder` guarantees those.
    public convenience init(userCount: Int, itemCount: Int, rowPointers: [Int], columns: [UInt32], values: [Float],
                            datasetHash: UInt64 = 0) {
        let storage = GraphStorage(rowPointers: rowPointers, columns: columns, values: values)
        do {
            try self.init(userCount: userCount, itemCount: itemCount, storage: storage, contentHash: nil,
                          datasetHash: datasetHash, file: "<memory>")
        } catch {
            preconditionFailure("invalid CSR arrays: \(error)")
        }
    }

    /// Wraps validated storage. `contentHash` nil computes it; `file` names the source in errors.
    init(userCount: Int, itemCount: Int, storage: GraphStorage, contentHash: UInt64?, datasetHash: UInt64,
         file: String) throws {
        self.userCount = userCount
        self.itemCount = itemCount
        self.rowPointers = GraphArray(owner: storage, base: storage.rowPointers, count: storage.rowPointerCount)
        self.columns = GraphArray(owner: storage, base: storage.columns, count: storage.nonzeroCount)
        self.values = GraphArray(owner: storage, base: storage.values, count: storage.nonzeroCount)
        self.datasetHash = datasetHash
        try Self.validate(userCount: userCount, itemCount: itemCount, storage: storage, file: file)
        self.contentHash = contentHash ?? Self.hash(userCount: userCount, itemCount: itemCount, storage: storage)
    }

    /// Structural checks that make the unchecked kernels memory-safe on any input.
    private static func validate(userCount: Int, itemCount: Int, storage: GraphStorage, file: String) throws {
        let n = userCount + itemCount
        guard userCount >= 0, itemCount >= 0, n <= Int(UInt32.max), storage.rowPointerCount == n + 1 else {
            throw AccfError.corrupt(file, "graph has \(storage.rowPointerCount) row pointers for \(n) nodes")
        }
        let rp = UnsafeBufferPointer(start: storage.rowPointers, count: n + 1)
        if rp[0] != 0 || rp[n] != storage.nonzeroCount {
            throw AccfError.corrupt(file, "graph row pointers span \(rp[0])..<\(rp[n]), expected 0..<\(storage.nonzeroCount)")
        }
        for r in 0..<n where rp[r + 1] < rp[r] {
            throw AccfError.corrupt(file, "graph row pointers decrease at row \(r)")
        }
        let cols = UnsafeBufferPointer(start: storage.columns, count: storage.nonzeroCount)
        var maxColumn: UInt32 = 0
        for c in cols { maxColumn = max(maxColumn, c) }
        if !cols.isEmpty && Int(maxColumn) >= n {
            throw AccfError.corrupt(file, "graph column index \(maxColumn) out of range for \(n) nodes")
        }
    }

    /// XXH64 over (userCount, itemCount, nnz, rowPointers, columns, values) as little-endian bytes.
    static func hash(userCount: Int, itemCount: Int, storage: GraphStorage) -> UInt64 {
        var h = XXHash64(seed: 0x4752_4150_48)  // "GRAPH"
        var header = ByteWriter(capacity: 24)
        header.append(UInt64(userCount))
        header.append(UInt64(itemCount))
        header.append(UInt64(storage.nonzeroCount))
        h.update(header.bytes)
        storage.withSections { rp, cols, vals in
            h.update(rp)
            h.update(cols)
            h.update(vals)
        }
        return h.digest
    }
}

/// A read-only, bounds-checked view of one CSR array that keeps the graph's memory alive.
///
/// Why not `[T]`: a mapped graph's arrays live in the file mapping; copying them into Swift
/// arrays would defeat the point of mapping. Kernels use `withUnsafeBufferPointer`.
public struct GraphArray<Element: Sendable>: RandomAccessCollection, @unchecked Sendable {
    private let owner: GraphStorage
    private let base: UnsafePointer<Element>
    /// Number of elements.
    public let count: Int

    init(owner: GraphStorage, base: UnsafePointer<Element>, count: Int) {
        self.owner = owner
        self.base = base
        self.count = count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(i: Int) -> Element {
        precondition(i >= 0 && i < count, "GraphArray index \(i) out of range 0..<\(count)")
        return base[i]
    }

    /// Calls `body` with the elements' memory, valid only inside `body`.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try withExtendedLifetime(owner) { try body(UnsafeBufferPointer(start: base, count: count)) }
    }
}
