import XCTest
import Core
import Logging
@testable import Train
#if canImport(Glibc)
import Glibc
#endif

/// SIGKILL at random moments, resume, and compare the final model with an uninterrupted run.
///
/// The child is this test binary itself, re-spawned to run `testChildTrainer` with the output
/// directory in an environment variable, so the test needs nothing but the test bundle.
final class KillResumeTests: XCTestCase {
    static let childVariable = "ACCF_TRAIN_KILL_CHILD_DIR"

    static func config() -> TrainConfig {
        var c = TrainerTests.smallConfig()
        c.maxEpochs = 20; c.minEpochs = 20; c.checkpointEverySteps = 3; c.keepCheckpoints = 3
        return c
    }

    /// Runs only as the spawned child: trains into the given directory (resuming if possible).
    func testChildTrainer() throws {
        guard let dir = ProcessInfo.processInfo.environment[Self.childVariable] else {
            throw XCTSkip("helper for testSigkillAtRandomMomentsThenResumeGivesIdenticalModel; runs only when spawned by it")
        }
        _ = try TrainStage.run(config: Self.config(), data: TrainerTests.data, outputDirectory: dir,
                               options: TrainOptions(showProgress: false), logger: TrainerTests.logger)
    }

    func spawnChild(dir: String) throws -> pid_t {
        let binary = CommandLine.arguments[0]
        let args = [binary, "TrainTests.KillResumeTests/testChildTrainer"]
        var env = ProcessInfo.processInfo.environment
        env[Self.childVariable] = dir
        let envStrings = env.map { "\($0.key)=\($0.value)" }
        var cArgs = args.map { strdup($0) } + [nil]
        var cEnv = envStrings.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        posix_spawn_file_actions_addopen(&fileActions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 2, "/dev/null", O_WRONLY, 0)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, binary, &fileActions, nil, &cArgs, &cEnv)
        guard rc == 0 else { throw XCTSkip("cannot spawn the test binary \(binary): \(rc)") }
        return pid
    }

    func testSigkillAtRandomMomentsThenResumeGivesIdenticalModel() throws {
        let root = NSTemporaryDirectory() + "accf-kill-\(UUID().uuidString)"
        try FilePath.createDirectories(root)
        defer { FilePath.removeTree(root) }
        let reference = root + "/reference", killed = root + "/killed"
        _ = try TrainStage.run(config: Self.config(), data: TrainerTests.data, outputDirectory: reference,
                               options: TrainOptions(showProgress: false), logger: TrainerTests.logger)
        var rng = SeededGenerator(seed: UInt64(getpid()))
        var kills = 0
        var finished = false
        for _ in 0..<60 {
            let pid = try spawnChild(dir: killed)
            // Let it run between 0.08 and 0.48 s (process start included), then SIGKILL.
            usleep(UInt32(80_000 + rng.nextInt(below: 400_000)))
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                XCTAssertEqual(status, 0, "child failed before being killed")
                finished = true
                break
            }
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            if (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0 { finished = true; break }   // exited normally just in time
            kills += 1
        }
        if !finished {
            // Let the last resume run to the end.
            let pid = try spawnChild(dir: killed)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            XCTAssertEqual(status, 0)
        }
        print("kill-resume: \(kills) SIGKILLs before the run completed")
        XCTAssertGreaterThan(kills, 0, "the child was never killed mid-run; the test proved nothing")
        XCTAssertEqual(try FilePath.readAll(killed + "/model.accfmodel"), try FilePath.readAll(reference + "/model.accfmodel"),
                       "resumed after \(kills) kills, the model differs from the uninterrupted run")
        XCTAssertEqual(try FilePath.readAll(killed + "/best.ckpt"), try FilePath.readAll(reference + "/best.ckpt"))
        let lines = String(decoding: try FilePath.readAll(killed + "/metrics.jsonl"), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 20)
    }
}
