import Core

/// The dense index → external id dictionary of users or items.
///
/// Envelope: `ChecksummedFile`, magic `ACCFDICT`, version 1. Payload: kind UInt8 (0 users,
/// 1 items), 7 reserved, count UInt64, `count + 1` UInt64 byte offsets, then the UTF-8 ids back
/// to back. Export writes these ids next to the embeddings, so a service can answer by vendor id.
enum IdDictionaryFile {
    static let magic = "ACCFDICT"
    static let version: UInt32 = 1

    static func encode(_ interner: ByteInterner, order: [Int], kind: UInt8) -> [UInt8] {
        var w = ByteWriter()
        w.append(kind)
        w.append(bytes: [UInt8](repeating: 0, count: 7))
        w.append(UInt64(order.count))
        var offset: UInt64 = 0
        w.append(offset)
        for k in order { offset += UInt64(interner.bytes(k).count); w.append(offset) }
        for k in order { w.append(bytes: Array(interner.bytes(k))) }
        let payload = w.bytes
        let hash = payload.withUnsafeBytes { XXHash64.hash($0) }
        return ChecksummedFile.header(magic: magic, version: version, payloadLength: payload.count, payloadHash: hash) + payload
    }

    static func decode(_ bytes: [UInt8], path: String, kind: UInt8) throws -> [String] {
        try bytes.withUnsafeBytes { raw in
            let payload = try ChecksummedFile.payload(of: raw, path: path, magic: magic, what: "id dictionary",
                                                      supportedVersion: version)
            var r = ByteReader(payload, file: path)
            let k = try r.read(UInt8.self)
            guard k == kind else { throw AccfError.corrupt(path, "dictionary of the wrong kind (\(k), expected \(kind))") }
            _ = try r.readBytes(7)
            let count = Int(try r.read(UInt64.self, "count"))
            guard count >= 0, count < payload.count else { throw AccfError.corrupt(path, "implausible id count \(count)") }
            let offsets = try r.readArray(UInt64.self, count: count + 1, "offsets")
            let text = try r.readBytes(r.remaining, "ids")
            guard offsets.first == 0, offsets.last == UInt64(text.count) else { throw AccfError.corrupt(path, "offsets do not cover the ids") }
            var out: [String] = []
            out.reserveCapacity(count)
            for j in 0..<count {
                let a = Int(offsets[j]), b = Int(offsets[j + 1])
                guard a <= b else { throw AccfError.corrupt(path, "offsets are not increasing") }
                out.append(String(decoding: UnsafeRawBufferPointer(rebasing: text[a..<b]), as: UTF8.self))
            }
            return out
        }
    }
}
