/// The Export stage library: final embeddings and top-K lists into one SQLite file, published atomically.
///
/// Map of the module (docs/export.md is the user-facing contract):
/// - `ExportStage` — the entry point (`run` reads an ingest directory and a model file; `export` takes an `ExportInput`).
/// - `ExportConfig` — the `[export]` manifest section / `accf export` flags.
/// - Ranking is Train's `TopKRetrieval`, the same kernel evaluation uses.
/// - `ExportContent`, `ExportDatabaseWriter`, `ExportSchema`, `EmbeddingBlob` — the file format and its writer.
/// - `DatabasePublisher` — temporary file, flock, fsync, rename, leftovers of crashed runs.
/// - `ExportChecksum`, `ExportVerifier` — the row checksum and `accf export verify`.
/// - `ExportShard`, `ExportMerge` — `--shard i/n` parts and `accf export merge`.
/// - `SQLiteDatabase` — the thin wrapper over the SQLite C API.
enum ExportModule {}
