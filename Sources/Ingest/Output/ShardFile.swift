import Core

/// One shard: the interactions of a contiguous range of users in one split, as compressed columns.
///
/// Envelope: `ChecksummedFile`, magic `ACCFSHRD`, version 1. Payload (little-endian):
///
///     split UInt8 (0 train, 1 valid, 2 test), flags UInt8 (1 ratings, 2 timestamps), 2 reserved
///     first user UInt32, end user UInt32 (exclusive), count UInt64, column bytes UInt64
///     zstd frame (with content checksum) of the columns:
///       user deltas UInt32 × count (rows are sorted by user, then item)
///       items UInt32 × count
///       ratings Float32 × count           (flag 1)
///       timestamps: zigzag deltas Int64 × count   (flag 2)
///
/// Delta coding makes the sorted user column and the time column mostly small numbers, which
/// roughly doubles the zstd ratio (DESIGN.md, performance facts).
enum ShardFile {
    static let magic = "ACCFSHRD"
    static let version: UInt32 = 1

    struct Header: Equatable {
        var split: Split
        var firstUser: UInt32
        var endUser: UInt32
        var count: Int
    }

    static func splitCode(_ s: Split) -> UInt8 { s == .train ? 0 : (s == .valid ? 1 : 2) }
    static func split(code: UInt8) -> Split? { code == 0 ? .train : (code == 1 ? .valid : (code == 2 ? .test : nil)) }

    /// The file's bytes (envelope included) for rows `range` of `columns`.
    static func encode(_ c: InteractionColumns, range: Range<Int>, split: Split, firstUser: UInt32, endUser: UInt32) throws -> [UInt8] {
        var cols = ByteWriter(capacity: range.count * 24)
        // Whole columns at once: ByteWriter's per-value generic append is not specialized across modules.
        var userDeltas = [UInt32](repeating: 0, count: range.count)
        var prev: UInt32 = firstUser
        for (j, k) in range.enumerated() { userDeltas[j] = c.users[k] &- prev; prev = c.users[k] }
        cols.append(contentsOf: userDeltas)
        cols.append(contentsOf: Array(c.items[range]))
        if let r = c.ratings { cols.append(contentsOf: Array(r[range])) }
        if let ts = c.timestamps {
            var zigzag = [UInt64](repeating: 0, count: range.count)
            var p: Int64 = 0
            for (j, k) in range.enumerated() {
                let d = ts[k] &- p
                p = ts[k]
                zigzag[j] = UInt64(bitPattern: (d << 1) ^ (d >> 63))
            }
            cols.append(contentsOf: zigzag)
        }
        let compressed = try Zstd.compress(cols.bytes)
        var w = ByteWriter(capacity: compressed.count + 32)
        w.append(splitCode(split))
        w.append(UInt8((c.ratings != nil ? 1 : 0) | (c.timestamps != nil ? 2 : 0)))
        w.append(UInt16(0))
        w.append(firstUser)
        w.append(endUser)
        w.append(UInt64(range.count))
        w.append(UInt64(cols.bytes.count))
        w.append(bytes: compressed)
        let payload = w.bytes
        let hash = payload.withUnsafeBytes { XXHash64.hash($0) }
        return ChecksummedFile.header(magic: magic, version: version, payloadLength: payload.count, payloadHash: hash) + payload
    }

    /// Decodes and checks a shard file's bytes; appends its rows to `into`.
    static func decode(_ bytes: [UInt8], path: String, into out: inout InteractionColumns) throws -> Header {
        try bytes.withUnsafeBytes { raw in
            let payload = try ChecksummedFile.payload(of: raw, path: path, magic: magic, what: "interaction shard",
                                                      supportedVersion: version)
            var r = ByteReader(payload, file: path)
            guard let split = split(code: try r.read(UInt8.self, "split")) else { throw AccfError.corrupt(path, "unknown split code") }
            let flags = try r.read(UInt8.self, "flags")
            _ = try r.read(UInt16.self)
            let first = try r.read(UInt32.self, "first user")
            let end = try r.read(UInt32.self, "end user")
            let count = Int(try r.read(UInt64.self, "count"))
            let columnBytes = Int(try r.read(UInt64.self, "column size"))
            let perRow = 8 + (flags & 1 != 0 ? 4 : 0) + (flags & 2 != 0 ? 8 : 0)
            guard count >= 0, columnBytes == count * perRow, first <= end else {
                throw AccfError.corrupt(path, "shard header is inconsistent (count \(count), columns \(columnBytes) bytes)")
            }
            let frame = try r.readBytes(r.remaining, "zstd frame")
            let cols = try Zstd.decompress(frame, expectedSize: columnBytes, file: path)
            try cols.withUnsafeBytes { cb in
                var c = ByteReader(cb, file: path)
                var u = first
                let base = out.users.count
                out.users.reserveCapacity(base + count)
                for d in try c.readArray(UInt32.self, count: count, "user column") {
                    u = u &+ d
                    guard u >= first && u < end else { throw AccfError.corrupt(path, "user \(u) outside the shard's range \(first)..<\(end)") }
                    out.users.append(u)
                }
                out.items.append(contentsOf: try c.readArray(UInt32.self, count: count))
                for k in (base + 1)..<max(base + 1, out.users.count) where
                    out.users[k - 1] > out.users[k] || (out.users[k - 1] == out.users[k] && out.items[k - 1] >= out.items[k]) {
                    throw AccfError.corrupt(path, "rows are not sorted by user then item")
                }
                if flags & 1 != 0 {
                    if out.ratings == nil { out.ratings = [] }
                    out.ratings!.append(contentsOf: try c.readFloats(count: count))
                }
                if flags & 2 != 0 {
                    if out.timestamps == nil { out.timestamps = [] }
                    var p: Int64 = 0
                    for z in try c.readArray(UInt64.self, count: count, "time column") {
                        let d = Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
                        p = p &+ d
                        out.timestamps!.append(p)
                    }
                }
            }
            return Header(split: split, firstUser: first, endUser: end, count: count)
        }
    }
}
