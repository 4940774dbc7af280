import Core
import Ingest

/// The export stage's settings: the `[export]` section of a manifest, or `accf export` flags.
///
/// Why every field has a default: a manifest that says nothing about export still produces the
/// file services expect (top-20 of every user, train items excluded, embeddings included).
public struct ExportConfig: Codable, Sendable, Equatable {
    /// Recommendations per user.
    public var k: Int = 20
    /// Splits whose items a user is never recommended: train by default; add valid and test in
    /// production, where everything the user is known to have is excluded.
    public var exclude: [Split] = [.train]
    /// Whether the users and items tables carry embedding BLOBs (else zero-length BLOBs).
    public var embeddings: Bool = true
    /// Whether the recommendations table is filled (else left empty).
    public var recommendations: Bool = true
    /// Export only part `i/n` of the users (contiguous dense-index ranges), for `accf export merge`.
    public var shard: ExportShard?
    /// Export only these users (external ids).
    public var users: [String]?
    /// Export only the users listed in this file (one external id per line; `#` comments, blank lines ignored).
    public var usersFile: String?
    /// Worker threads for top-K; 0 = every core.
    public var threads: Int = 0
    /// The destination file as written in the manifest; the pipeline resolves it against the
    /// workdir (default `<workdir>/export/recommendations.sqlite`) and passes the result to `ExportStage.run`.
    public var destination: String?
    /// Identifies the pipeline run (meta `run_id`); empty = made up from the time and process id.
    public var runId: String = ""
    /// Hash of the manifest that produced the export (meta `manifest_hash`); empty outside a pipeline.
    public var manifestHash: String = ""

    public init() {}

    enum CodingKeys: String, CodingKey {
        case k, exclude, embeddings, recommendations, shard, users
        case usersFile = "users_file"
        case threads, destination
        case runId = "run_id"
        case manifestHash = "manifest_hash"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ExportConfig()
        k = try c.decodeIfPresent(Int.self, forKey: .k) ?? d.k
        exclude = try c.decodeIfPresent([Split].self, forKey: .exclude) ?? d.exclude
        embeddings = try c.decodeIfPresent(Bool.self, forKey: .embeddings) ?? d.embeddings
        recommendations = try c.decodeIfPresent(Bool.self, forKey: .recommendations) ?? d.recommendations
        shard = try c.decodeIfPresent(ExportShard.self, forKey: .shard)
        users = try c.decodeIfPresent([String].self, forKey: .users)
        usersFile = try c.decodeIfPresent(String.self, forKey: .usersFile)
        threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? d.threads
        destination = try c.decodeIfPresent(String.self, forKey: .destination)
        runId = try c.decodeIfPresent(String.self, forKey: .runId) ?? d.runId
        manifestHash = try c.decodeIfPresent(String.self, forKey: .manifestHash) ?? d.manifestHash
    }

    /// Checks ranges and combinations; throws `AccfError.usage` naming the key.
    public func validate() throws {
        guard (1...10_000).contains(k) else {
            throw AccfError.usage("export.k = \(k): must be between 1 and 10000")
        }
        guard (0...1024).contains(threads) else {
            throw AccfError.usage("export.threads = \(threads): must be 0 (every core) to 1024")
        }
        guard Set(exclude).count == exclude.count else {
            throw AccfError.usage("export.exclude lists a split twice: \(exclude.map(\.rawValue))")
        }
        guard embeddings || recommendations else {
            throw AccfError.usage("export.embeddings and export.recommendations are both false: nothing to export",
                                  hint: "enable at least one of them")
        }
        let selectors = [shard != nil, users != nil, usersFile != nil].filter { $0 }.count
        guard selectors <= 1 else {
            throw AccfError.usage("export.shard, export.users and export.users_file are exclusive: give at most one")
        }
        if let users, users.isEmpty {
            throw AccfError.usage("export.users is empty", hint: "omit it to export every user")
        }
        if let destination, destination.isEmpty {
            throw AccfError.usage("export.destination is empty", hint: "give a file path such as export/recommendations.sqlite")
        }
    }

    /// The thread count to use.
    public var resolvedThreads: Int { threads > 0 ? threads : Parallel.defaultThreads }
}
