/// The process exit codes of every `accf` command, in the style of BSD `sysexits.h`.
///
/// One type owns them so that cron jobs and workflow runners can branch on a stable contract:
/// a bad input file (65) is fixed by a human, a held lock (75) is retried later.
public enum ExitStatus: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// Success.
    case ok = 0
    /// The command line was wrong: an unknown flag, a bad value, a missing argument.
    case usage = 64
    /// Input data was malformed: a bad line past the allowed fraction, a corrupt binary file.
    case dataError = 65
    /// An input file or directory does not exist or cannot be read.
    case noInput = 66
    /// A bug or an impossible state inside accf.
    case software = 70
    /// An output file or directory could not be created.
    case cannotCreate = 73
    /// A read or write failed part-way (disk full, I/O error).
    case ioError = 74
    /// A temporary condition: retry later (another run holds the lock).
    case temporaryFailure = 75

    /// The short name used in logs and documentation.
    public var description: String {
        switch self {
        case .ok: return "ok"
        case .usage: return "usage"
        case .dataError: return "data error"
        case .noInput: return "missing input"
        case .software: return "internal error"
        case .cannotCreate: return "cannot create output"
        case .ioError: return "I/O error"
        case .temporaryFailure: return "temporary failure"
        }
    }
}
