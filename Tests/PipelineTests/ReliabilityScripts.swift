import Foundation
import XCTest

/// Runs the reliability scripts of `scripts/` (soak-kill, readers-during-export, disk-full,
/// lock-contention) against the `accf` binary of this build, at their small CI size.
///
/// Why scripts and not Swift: the same file is what an operator runs by hand at full size
/// (docs/operations.md), so CI proves exactly what the runbook says. The tests only locate the
/// binary, run the script with a time limit, print its output (the counts land in the CI log)
/// and check its exit status and result line.
enum ReliabilityScripts {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The `accf` executable built beside this test bundle (`swift build --build-tests` builds both).
    static func accfBinary() throws -> String {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        for candidate in [bundleDirectory + "/accf", packageRoot + "/.build/debug/accf"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw XCTSkip("no accf binary beside the test bundle or in .build/debug (swift build --build-tests builds it)")
    }

    /// Skips unless every tool is on PATH.
    static func require(_ tools: [String]) throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for tool in tools {
            let found = path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
            if !found { throw XCTSkip("\(tool) is not installed (.ci/run installs it)") }
        }
    }

    /// Runs `scripts/NAME` with `arguments`; returns (exit status, stdout+stderr). Killed after `timeout` s.
    static func run(_ name: String, _ arguments: [String], timeout: Double) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [packageRoot + "/scripts/" + name] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = DispatchTime.now() + timeout
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: deadline, execute: watchdog)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        let output = String(decoding: data, as: UTF8.self)
        print(output)
        return (process.terminationStatus, output)
    }

    /// The value of `key=N` in the last line starting with `resultPrefix` (e.g. "kills=24").
    static func count(_ key: String, in output: String, line resultPrefix: String) -> Int? {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix(resultPrefix) }) else { return nil }
        for word in line.split(separator: " ") where word.hasPrefix(key + "=") {
            return Int(word.dropFirst(key.count + 1).prefix { $0.isNumber })
        }
        return nil
    }
}
