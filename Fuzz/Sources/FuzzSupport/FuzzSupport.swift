#if canImport(Glibc)
import Glibc
#endif
import Core
import Ingest

/// The shared body of the parser harnesses: read the input as ingest would, then stop the
/// fuzzer (abort = a finding) on anything but a sane result or an exit-65 `AccfError` naming the file.
public enum FuzzSupport {
    /// A config for `format` with the bad-line limit at 100 %, so every input is read to the end.
    public static func config(_ format: InputFormat) -> IngestConfig {
        var c = IngestConfig()
        c.format = format
        c.inputs = ["fuzz.txt"]
        c.maxBadLineFraction = 1
        c.maxLineLength = 1 << 12
        return c
    }

    /// Reads `data` with `config`, small blocks so boundaries move through every line.
    public static func run(_ data: UnsafeRawPointer?, _ size: Int, config: IngestConfig, path: String = "fuzz.txt",
                           parallelJSON: Bool = true) {
        let bytes = size == 0 ? [] : Array(UnsafeRawBufferPointer(start: data, count: size))
        do {
            let parsed = try BufferReading.read(bytes, config: config, path: path, blockSize: 64, chunk: 7,
                                                parallelJSON: parallelJSON)
            let problems = parsed.problems()
            if !problems.isEmpty { fail("inconsistent result: \(problems.joined(separator: "; "))") }
        } catch let error as AccfError {
            guard error.status == .dataError, error.message.hasPrefix(path) else { fail("unexpected error \(error)") }
        } catch {
            fail("not an AccfError: \(error)")
        }
    }

    public static func fail(_ message: String) -> Never {
        var text = "FUZZ FINDING: \(message)\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        abort()
    }
}

/// libFuzzer's entry for programs that keep their own `main` (SwiftPM renames an executable's
/// `main`, so the one in libFuzzer's archive cannot be used).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                                 _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

extension FuzzSupport {
    /// Runs libFuzzer with the command line's flags and `callback` as the fuzz target; never returns.
    public static func runDriver(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
    }
}
