/// The Export stage library. See README.md for what it does.
enum ExportModule {}
