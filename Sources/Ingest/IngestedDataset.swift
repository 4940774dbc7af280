import Core

/// Read access to an `accf ingest` output directory: counts, id dictionaries, split columns.
///
/// `open` checks the manifest envelope and that every listed file exists; each read then
/// checks the file's checksum against the manifest and its own envelope before trusting a byte,
/// so a flipped byte, a truncated shard or a file from another format version is an error
/// naming the file and what to do. Immutable after `open`, hence `Sendable`.
public final class IngestedDataset: Sendable {
    public let directory: String
    private let manifest: ShardManifest
    /// Hash of the shard manifest: identifies the data (later stages record it).
    public let contentHash: UInt64

    public var userCount: Int { manifest.userCount }
    public var itemCount: Int { manifest.itemCount }
    /// Whether the source had ratings / timestamps (then the columns are present).
    public var hasRatings: Bool { manifest.hasRatings }
    public var hasTimestamps: Bool { manifest.hasTimestamps }

    private init(directory: String, manifest: ShardManifest, contentHash: UInt64) {
        self.directory = directory
        self.manifest = manifest
        self.contentHash = contentHash
    }

    /// Opens and verifies the manifest of `directory`.
    public static func open(directory: String) throws -> IngestedDataset {
        AtomicDirectory.recover(directory)
        let (m, hash) = try ShardManifest.read(directory: directory)
        let manifestPath = FilePath.join(directory, ShardManifest.fileName)
        if m.formatVersion != Int(ShardManifest.version) {
            throw AccfError(.dataError, "\(manifestPath): ingest format version \(m.formatVersion), this accf reads \(ShardManifest.version)",
                            hint: "re-run `accf ingest` with this version")
        }
        for f in [m.users.file, m.items.file] + m.shards.map(\.file) where !FilePath.exists(FilePath.join(directory, f)) {
            throw AccfError.corrupt(FilePath.join(directory, f), "listed in \(manifestPath) but missing")
        }
        return IngestedDataset(directory: directory, manifest: m, contentHash: hash)
    }

    /// Reads a listed file and checks it against the manifest's checksum.
    private func verifiedBytes(_ file: String) throws -> ([UInt8], String) {
        let path = FilePath.join(directory, file)
        guard let entry = manifest.shards.first(where: { $0.file == file }).map({ $0.checksum })
                ?? [manifest.users, manifest.items].first(where: { $0.file == file })?.checksum else {
            throw AccfError.internalError("\(file) is not in the manifest")
        }
        let bytes = try FilePath.readAll(path)
        if ShardManifest.checksum(bytes) != entry {
            throw AccfError.corrupt(path, "checksum differs from the manifest (damaged, truncated or replaced)")
        }
        return (bytes, path)
    }

    /// The interactions of `split`, sorted by user then item; verifies every shard.
    public func interactions(_ split: Split) throws -> InteractionColumns {
        var out = InteractionColumns(ratings: hasRatings ? [] : nil, timestamps: hasTimestamps ? [] : nil)
        let shards = manifest.shards.filter { $0.split == split }
        let total = shards.reduce(0) { $0 + $1.interactions }
        out.users.reserveCapacity(total)
        out.items.reserveCapacity(total)
        var lastUser: UInt32 = 0
        for s in shards {
            let (bytes, path) = try verifiedBytes(s.file)
            let before = out.count
            let h = try ShardFile.decode(bytes, path: path, into: &out)
            guard h.split == split, h.count == s.interactions, h.firstUser == s.firstUser, h.endUser == s.endUser,
                  s.firstUser >= lastUser, Int(s.endUser) <= userCount else {
                throw AccfError.corrupt(path, "shard header disagrees with the manifest")
            }
            lastUser = s.endUser
            for k in before..<out.count where Int(out.items[k]) >= itemCount {
                throw AccfError.corrupt(path, "item index \(out.items[k]) ≥ item count \(itemCount)")
            }
        }
        return out
    }

    /// The shard files of `split` with their user ranges, for stage-by-shard processing.
    public func shards(_ split: Split) -> [(file: String, users: Range<Int>, interactions: Int)] {
        manifest.shards.filter { $0.split == split }.map { (FilePath.join(directory, $0.file), Int($0.firstUser)..<Int($0.endUser), $0.interactions) }
    }

    /// Dense user index → external id.
    public func userIds() throws -> [String] {
        let (bytes, path) = try verifiedBytes(manifest.users.file)
        let ids = try IdDictionaryFile.decode(bytes, path: path, kind: 0)
        if ids.count != userCount { throw AccfError.corrupt(path, "\(ids.count) users, manifest says \(userCount)") }
        return ids
    }

    /// Dense item index → external id.
    public func itemIds() throws -> [String] {
        let (bytes, path) = try verifiedBytes(manifest.items.file)
        let ids = try IdDictionaryFile.decode(bytes, path: path, kind: 1)
        if ids.count != itemCount { throw AccfError.corrupt(path, "\(ids.count) items, manifest says \(itemCount)") }
        return ids
    }
}
