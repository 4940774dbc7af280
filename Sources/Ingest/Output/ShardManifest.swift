import Core
import Foundation

/// The table of contents of an ingest output: counts, files and their checksums.
///
/// Stored as JSON (readable with `tail -c +65 manifest.accf`) inside a `ChecksummedFile`
/// envelope (magic `ACCFINGM`, version 1), so a damaged manifest is detected like any other
/// file. Its payload hash is the dataset's `contentHash`: it covers every shard's checksum and
/// both dictionaries, so it identifies the data later stages were built from.
struct ShardManifest: Codable, Equatable {
    static let magic = "ACCFINGM"
    static let version: UInt32 = 1
    static let fileName = "manifest.accf"

    struct FileEntry: Codable, Equatable {
        var file: String
        var count: Int
        /// XXH64 of the whole file, hex.
        var checksum: String
    }

    struct Shard: Codable, Equatable {
        var split: Split
        var file: String
        var firstUser: UInt32
        var endUser: UInt32
        var interactions: Int
        var checksum: String
        enum CodingKeys: String, CodingKey {
            case split, file, interactions, checksum
            case firstUser = "first_user"
            case endUser = "end_user"
        }
    }

    var formatVersion: Int = Int(version)
    var userCount: Int
    var itemCount: Int
    var hasRatings: Bool
    var hasTimestamps: Bool
    var users: FileEntry
    var items: FileEntry
    var shards: [Shard]

    enum CodingKeys: String, CodingKey {
        case users, items, shards
        case formatVersion = "format_version"
        case userCount = "user_count"
        case itemCount = "item_count"
        case hasRatings = "has_ratings"
        case hasTimestamps = "has_timestamps"
    }

    static func checksum(_ bytes: [UInt8]) -> String {
        let h = bytes.withUnsafeBytes { XXHash64.hash($0) }
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    func payload() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try e.encode(self))
    }

    /// Reads and checks the manifest in `directory`; returns it with its payload hash.
    static func read(directory: String) throws -> (ShardManifest, UInt64) {
        let path = FilePath.join(directory, fileName)
        if !FilePath.exists(path) {
            throw AccfError.missingInput(path, hint: "run `accf ingest` to create the dataset directory")
        }
        let bytes = try FilePath.readAll(path)
        return try bytes.withUnsafeBytes { raw in
            let payload = try ChecksummedFile.payload(of: raw, path: path, magic: magic, what: "ingest manifest",
                                                      supportedVersion: version)
            let manifest: ShardManifest
            do {
                manifest = try JSONDecoder().decode(ShardManifest.self, from: Data(payload))
            } catch {
                throw AccfError.corrupt(path, "manifest JSON does not decode: \(error)")
            }
            return (manifest, XXHash64.hash(payload))
        }
    }
}
