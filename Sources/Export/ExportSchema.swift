/// The exported SQLite file's schema: a contract with the services that read it.
///
/// Consumers check `PRAGMA user_version` (= `version`) before they trust the layout; any change
/// to a table, a column, the BLOB layout or the meaning of a meta key bumps the version.
/// docs/export.md documents every table and key; this file is the single source of the SQL.
public enum ExportSchema {
    /// The schema version, stored as `PRAGMA user_version` and meta `schema_version`.
    public static let version = 1

    /// How embedding BLOBs are encoded (meta `embedding_dtype`): `dim` little-endian IEEE float32.
    public static let embeddingDType = "float32-le"

    /// The tables and the view, created inside the load transaction.
    public static let tables = """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE users (user_index INTEGER PRIMARY KEY, external_id TEXT NOT NULL UNIQUE,
                        embedding BLOB NOT NULL);
    CREATE TABLE items (item_index INTEGER PRIMARY KEY, external_id TEXT NOT NULL UNIQUE,
                        embedding BLOB NOT NULL);
    CREATE TABLE recommendations (user_index INTEGER NOT NULL, rank INTEGER NOT NULL,
                                  item_index INTEGER NOT NULL, score REAL NOT NULL,
                                  PRIMARY KEY (user_index, rank)) WITHOUT ROWID;
    CREATE VIEW user_recommendations AS
      SELECT u.external_id AS user_id, r.rank, i.external_id AS item_id, r.score
      FROM recommendations r JOIN users u USING (user_index) JOIN items i USING (item_index);
    """

    /// Secondary indexes, built after the bulk load (cheaper than maintaining them row by row):
    /// "which users is this item recommended to" without a full scan.
    public static let indexes = """
    CREATE INDEX recommendations_by_item ON recommendations (item_index, user_index);
    """

    /// Prepared statements of the load, one per table.
    static let insertMeta = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
    static let insertUser = "INSERT INTO users (user_index, external_id, embedding) VALUES (?1, ?2, ?3)"
    static let insertItem = "INSERT INTO items (item_index, external_id, embedding) VALUES (?1, ?2, ?3)"
    static let insertRecommendation =
        "INSERT INTO recommendations (user_index, rank, item_index, score) VALUES (?1, ?2, ?3, ?4)"

    /// The meta keys every export writes (docs/export.md explains each).
    public enum Key {
        public static let schemaVersion = "schema_version"
        public static let model = "model"
        public static let dim = "dim"
        public static let k = "k"
        public static let createdAt = "created_at"
        public static let runId = "run_id"
        public static let manifestHash = "manifest_hash"
        public static let checkpointHash = "checkpoint_hash"
        public static let datasetHash = "dataset_hash"
        public static let graphHash = "graph_hash"
        public static let testMetrics = "test_metrics"
        public static let hyperparameters = "hyperparameters"
        public static let embeddingDType = "embedding_dtype"
        public static let exclude = "exclude"
        public static let hasEmbeddings = "has_embeddings"
        public static let hasRecommendations = "has_recommendations"
        public static let userCount = "user_count"
        public static let itemCount = "item_count"
        public static let userSelection = "user_selection"
        public static let userRange = "user_range"
        public static let shard = "shard"
        public static let accfVersion = "accf_version"
        public static let contentChecksum = "content_xxh64"
    }

    /// Keys that differ between the parts of one sharded export (or between two runs of the same
    /// export) and so are ignored when parts are checked against each other or compared.
    public static let perPartKeys: Set<String> = [Key.createdAt, Key.userSelection, Key.userRange, Key.shard, Key.runId,
                                                      Key.contentChecksum]
}
