/// The error every stage throws: an exit status, what went wrong, and what to do about it.
///
/// `description` is the single line printed on stderr, so it names the file (and line, where
/// there is one) and ends with the fix; cron mails exactly that line.
public struct AccfError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The exit status the process ends with.
    public var status: ExitStatus
    /// What went wrong, naming the file and line where there is one.
    public var message: String
    /// What the user should do; empty when there is nothing to add.
    public var hint: String

    public init(_ status: ExitStatus, _ message: String, hint: String = "") {
        self.status = status
        self.message = message
        self.hint = hint
    }

    /// One line: the message, then the hint after a semicolon; newlines are flattened.
    public var description: String {
        let text = hint.isEmpty ? message : "\(message); \(hint)"
        return text.replacingNewlines()
    }

    // MARK: - Constructors named by situation

    /// A malformed input file or record (exit 65).
    public static func badData(_ file: String, line: Int? = nil, _ reason: String, hint: String = "") -> AccfError {
        let location = line.map { "\(file):\($0)" } ?? file
        return AccfError(.dataError, "\(location): \(reason)", hint: hint)
    }

    /// A binary file that failed its integrity checks (exit 65).
    public static func corrupt(_ file: String, _ reason: String) -> AccfError {
        AccfError(.dataError, "\(file): \(reason)",
                  hint: "the file is damaged or truncated; delete it and re-run the stage that writes it")
    }

    /// A missing or unreadable input (exit 66).
    public static func missingInput(_ file: String, hint: String = "") -> AccfError {
        AccfError(.noInput, "\(file): no such file or not readable",
                  hint: hint.isEmpty ? "check the path (relative paths resolve against the manifest's folder)" : hint)
    }

    /// An output that cannot be created (exit 73).
    public static func cannotCreate(_ file: String, _ reason: String) -> AccfError {
        AccfError(.cannotCreate, "\(file): cannot create: \(reason)",
                  hint: "check that the directory exists and is writable")
    }

    /// A failed read or write (exit 74).
    public static func io(_ file: String, _ reason: String) -> AccfError {
        AccfError(.ioError, "\(file): \(reason)", hint: "check free disk space and the device; previous outputs are intact")
    }

    /// A broken internal invariant (exit 70).
    public static func internalError(_ reason: String) -> AccfError {
        AccfError(.software, "internal error: \(reason)", hint: "please report this with the command line and input")
    }

    /// A bad command-line or configuration value (exit 64).
    public static func usage(_ reason: String, hint: String = "") -> AccfError {
        AccfError(.usage, reason, hint: hint)
    }
}

extension String {
    func replacingNewlines() -> String {
        split(whereSeparator: { $0.isNewline }).joined(separator: " ")
    }
}
