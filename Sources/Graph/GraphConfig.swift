import Core

/// The `[graph]` section of a pipeline manifest: how `accf graph` builds and checks the graph.
///
/// Why so few knobs: the graph is a pure function of the train split. What a user may choose is
/// how much checking to pay for and whether a JSON report is written beside the graph. Every
/// field has a default, so a manifest names only what differs.
public struct GraphConfig: Codable, Sendable, Equatable {
    /// The normalization of A. Only "symmetric" (D^-1/2 A D^-1/2, what LightGCN and its
    /// descendants use) exists; the key is there so a manifest can state it and a typo fails.
    public var normalization: String = "symmetric"
    /// Re-open the written file (mapping, checksum, structure) and compare its content hash
    /// before reporting success. Costs a few milliseconds per million nonzeros.
    public var verifyAfterWrite: Bool = true
    /// Write the stage report as JSON beside the graph (`<name>.report.json`).
    public var writeReport: Bool = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case normalization
        case verifyAfterWrite = "verify_after_write"
        case writeReport = "write_report"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = GraphConfig()
        normalization = try c.decodeIfPresent(String.self, forKey: .normalization) ?? d.normalization
        verifyAfterWrite = try c.decodeIfPresent(Bool.self, forKey: .verifyAfterWrite) ?? d.verifyAfterWrite
        writeReport = try c.decodeIfPresent(Bool.self, forKey: .writeReport) ?? d.writeReport
    }

    /// Rejects unsupported settings before any input is read (exit 64 naming the key).
    public func validate() throws {
        if normalization != "symmetric" {
            throw AccfError.usage("graph: `normalization` must be \"symmetric\" (D^-1/2 A D^-1/2), got \"\(normalization)\"")
        }
    }
}
