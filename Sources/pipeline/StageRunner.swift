import ArgumentParser
import Core

/// Runs a stage body and turns every failure into one stderr line and a documented exit code.
///
/// `AccfError` carries its own status; ArgumentParser's own errors keep theirs (64 for usage);
/// anything else is an internal error (70) — a bug to report, never a silent success.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as AccfError {
        StandardError.writeLine("accf: error: \(error.description)")
        throw ExitCode(error.status.rawValue)
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        StandardError.writeLine("accf: error: internal error: \(error)")
        throw ExitCode(ExitStatus.software.rawValue)
    }
}
