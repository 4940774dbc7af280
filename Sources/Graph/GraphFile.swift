import Core

/// The graph file (`.accfgraph`): a `NormalizedGraph` ready to memory-map.
///
/// Why this layout: opening the graph should cost no copy and no parse, so the arrays are stored
/// exactly as the kernels read them (little-endian, 64-byte aligned sections) inside the
/// `ChecksummedFile` envelope, whose payload checksum is verified before any byte is trusted.
///
///     envelope  64 bytes: magic "ACCFGRPH", format version, payload length, payload XXH64
///     payload (offsets from its start, which is 64-byte aligned in the file):
///       0   userCount, itemCount, nonzeroCount, contentHash, datasetHash   UInt64 × 5
///      40   user degrees: nodes, min, median, max, isolated                 UInt64 × 5
///      80   item degrees: nodes, min, median, max, isolated                 UInt64 × 5
///     120   reserved (0)                                                    UInt64
///     128   row pointers   Int64 × (nodeCount + 1), zero-padded to 64 bytes
///           columns        UInt32 × nonzeroCount, zero-padded to 64 bytes
///           values         Float32 × nonzeroCount, zero-padded to 64 bytes
///
/// The writer streams the arrays twice (hash, then write) instead of building a payload copy,
/// and writes through `AtomicFileWriter`: readers see the old graph or the new, never half.
public enum GraphFile {
    /// The envelope magic.
    public static let magic = "ACCFGRPH"
    /// The one format version this build reads and writes.
    public static let version: UInt32 = 1
    /// Bytes of the graph header inside the payload.
    static let headerSize = 128

    /// Writes `graph` to `path` atomically.
    public static func write(_ graph: NormalizedGraph, to path: String) throws {
        let header = headerBytes(graph)
        let layout = Layout(nodeCount: graph.nodeCount, nonzeroCount: graph.nonzeroCount)
        let zeros = [UInt8](repeating: 0, count: 64)
        try graph.rowPointers.withUnsafeBufferPointer { rp in
            try graph.columns.withUnsafeBufferPointer { cols in
                try graph.values.withUnsafeBufferPointer { vals in
                    // The payload as a sequence of byte chunks, fed once to the hash and once to the file.
                    func chunks(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
                        try header.withUnsafeBytes { try body($0) }
                        try zeros.withUnsafeBytes { z in
                            try body(UnsafeRawBufferPointer(rp))
                            try body(UnsafeRawBufferPointer(rebasing: z[0..<layout.rowPointerPadding]))
                            try body(UnsafeRawBufferPointer(cols))
                            try body(UnsafeRawBufferPointer(rebasing: z[0..<layout.columnPadding]))
                            try body(UnsafeRawBufferPointer(vals))
                            try body(UnsafeRawBufferPointer(rebasing: z[0..<layout.valuePadding]))
                        }
                    }
                    var hasher = XXHash64()
                    chunks { hasher.update($0) }
                    let writer = try AtomicFileWriter(destination: path)
                    try writer.write(ChecksummedFile.header(magic: magic, version: version,
                                                            payloadLength: layout.payloadLength, payloadHash: hasher.digest))
                    try chunks { try writer.write($0) }
                    try writer.commit()
                }
            }
        }
    }

    /// Maps the graph at `path`, verifying the envelope, the layout and the CSR structure.
    ///
    /// The returned graph's arrays point into the mapping (no copy); it stays mapped while the
    /// graph lives. Errors name the file: missing (66), damaged, truncated or of another version (65).
    public static func read(path: String) throws -> NormalizedGraph {
        #if _endian(big)
        throw AccfError.usage("\(path): graph files are little-endian and mapped as is; this big-endian host cannot read them")
        #else
        let mapping = try MappedFile(path: path)
        let payload = try ChecksummedFile.payload(of: mapping.bytes, path: path, magic: magic, what: "graph",
                                                  supportedVersion: version)
        var r = ByteReader(payload, file: path)
        let userCount = try r.read(UInt64.self, "user count")
        let itemCount = try r.read(UInt64.self, "item count")
        let nonzeroCount = try r.read(UInt64.self, "nonzero count")
        let contentHash = try r.read(UInt64.self, "content hash")
        let datasetHash = try r.read(UInt64.self, "dataset hash")
        let userDegrees = try readDegrees(&r)
        let itemDegrees = try readDegrees(&r)
        guard userCount < UInt64(UInt32.max), itemCount < UInt64(UInt32.max), userCount + itemCount < UInt64(UInt32.max),
              nonzeroCount <= UInt64(payload.count) else {
            throw AccfError.corrupt(path, "graph header claims \(userCount) users, \(itemCount) items, \(nonzeroCount) nonzeros")
        }
        let layout = Layout(nodeCount: Int(userCount + itemCount), nonzeroCount: Int(nonzeroCount))
        guard layout.payloadLength == payload.count else {
            throw AccfError.corrupt(path, "graph payload is \(payload.count) bytes, its counts need \(layout.payloadLength)")
        }
        let envelope = ChecksummedFile.headerSize
        let storage = GraphStorage(mapping: mapping, rowPointerOffset: envelope + layout.rowPointerOffset,
                                   rowPointerCount: layout.nodeCount + 1, columnOffset: envelope + layout.columnOffset,
                                   valueOffset: envelope + layout.valueOffset, nonzeroCount: layout.nonzeroCount)
        let graph = try NormalizedGraph(userCount: Int(userCount), itemCount: Int(itemCount), storage: storage,
                                        contentHash: contentHash, datasetHash: datasetHash, file: path)
        guard graph.userDegrees == userDegrees, graph.itemDegrees == itemDegrees else {
            throw AccfError.corrupt(path, "graph header degree summary disagrees with its row pointers")
        }
        return graph
        #endif
    }

    private static func headerBytes(_ g: NormalizedGraph) -> [UInt8] {
        var w = ByteWriter(capacity: headerSize)
        for v in [g.userCount, g.itemCount, g.nonzeroCount] { w.append(UInt64(v)) }
        w.append(g.contentHash)
        w.append(g.datasetHash)
        for s in [g.userDegrees, g.itemDegrees] {
            for v in [s.nodes, s.min, s.median, s.max, s.isolated] { w.append(UInt64(v)) }
        }
        w.pad(toMultipleOf: headerSize)
        precondition(w.bytes.count == headerSize)
        return w.bytes
    }

    private static func readDegrees(_ r: inout ByteReader) throws -> DegreeSummary {
        var v = [Int]()
        for _ in 0..<5 {
            let x = try r.read(UInt64.self, "degree summary")
            guard x <= UInt64(UInt32.max) else { throw AccfError.corrupt(r.file, "graph degree summary value \(x) out of range") }
            v.append(Int(x))
        }
        return DegreeSummary(nodes: v[0], min: v[1], median: v[2], max: v[3], isolated: v[4])
    }

    /// Section offsets and padding inside the payload.
    struct Layout {
        let nodeCount: Int
        let nonzeroCount: Int
        var rowPointerOffset: Int { GraphFile.headerSize }
        var rowPointerBytes: Int { (nodeCount + 1) * 8 }
        var rowPointerPadding: Int { Self.padding(rowPointerBytes) }
        var columnOffset: Int { rowPointerOffset + rowPointerBytes + rowPointerPadding }
        var columnPadding: Int { Self.padding(nonzeroCount * 4) }
        var valueOffset: Int { columnOffset + nonzeroCount * 4 + columnPadding }
        var valuePadding: Int { Self.padding(nonzeroCount * 4) }
        var payloadLength: Int { valueOffset + nonzeroCount * 4 + valuePadding }

        static func padding(_ bytes: Int) -> Int { (64 - bytes % 64) % 64 }
    }
}
