import Core
import Logging

/// The checkpoint directory of a run: `checkpoints/step-<globalStep>.ckpt` files, the last
/// `keep` of them kept, plus `best.ckpt` beside the directory.
///
/// Why files named by step: the latest is found by listing, and a corrupt latest file (a torn
/// disk, a bad sector — writes themselves are atomic) falls back to the one before with a warning.
struct CheckpointStore {
    let directory: String
    let bestPath: String
    let keep: Int

    init(outputDirectory: String, keep: Int) {
        directory = FilePath.join(outputDirectory, "checkpoints")
        bestPath = FilePath.join(outputDirectory, "best.ckpt")
        self.keep = keep
    }

    func path(step: Int) -> String {
        let digits = String(step)
        return FilePath.join(directory, "step-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".ckpt")
    }

    /// Checkpoint files, oldest first.
    func files() -> [String] {
        FilePath.list(directory)
            .filter { $0.hasPrefix("step-") && $0.hasSuffix(".ckpt") }
            .sorted()
            .map { FilePath.join(directory, $0) }
    }

    /// Writes a checkpoint atomically and prunes old ones.
    func save(_ checkpoint: Checkpoint) throws {
        try FilePath.createDirectories(directory)
        try checkpoint.write(to: path(step: checkpoint.progress.globalStep))
        let all = files()
        for old in all.dropLast(keep) { unlink(old) }
    }

    func saveBest(_ checkpoint: Checkpoint) throws {
        try checkpoint.write(to: bestPath)
    }

    /// The newest checkpoint that reads cleanly; unreadable newer ones are reported and skipped.
    func latest(logger: Logger) -> Checkpoint? {
        for file in files().reversed() {
            do {
                return try Checkpoint.read(path: file)
            } catch {
                logger.warning("skipping unreadable checkpoint, falling back to the previous one: \(error)")
            }
        }
        return nil
    }

    /// Removes every checkpoint (start over).
    func removeAll() {
        FilePath.removeTree(directory)
        unlink(bestPath)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
