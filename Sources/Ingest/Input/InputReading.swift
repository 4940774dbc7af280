import Core

/// Reads every input file through its format's parser into one `RawInteractionLog`, counting
/// lines and sampling malformed ones for the report.
///
/// The bad-line limit is checked as lines stream in (after the first 10,000 data lines) so a
/// multi-GB file in the wrong format fails in seconds, and again at the end.
struct InputReading {
    let config: IngestConfig
    var log = RawInteractionLog()
    var report = IngestReport()
    private var reasonIndex: [String: Int] = [:]
    /// Block buffer size for the readers (tests shrink it to exercise block boundaries).
    var blockSize = 4 << 20
    /// Scan JSON lines on all cores (tests compare with the line-by-line path).
    var parallelJSON = true

    init(config: IngestConfig) {
        self.config = config
    }

    /// Whether `path` holds the given test split.
    func isTestInput(_ path: String) -> Bool {
        if config.testInputs.contains(path) { return true }
        return config.format == .lightgcn && config.testInputs.isEmpty
            && FilePath.lastComponent(of: path).lowercased().hasPrefix("test")
    }

    mutating func readAll() throws {
        let files = config.inputs + config.testInputs.filter { !config.inputs.contains($0) }
        for f in files where !FilePath.exists(f) || FilePath.isDirectory(f) {
            throw AccfError.missingInput(f)
        }
        for f in files { try read(f) }
        try checkBadFraction(final: true)
    }

    private mutating func read(_ path: String) throws {
        try read(LineReader(path: path, maxLineLength: config.maxLineLength, blockSize: blockSize))
    }

    /// Reads one input through its format's parser (a file, or memory for the fuzzers).
    mutating func read(_ reader: LineReader) throws {
        let path = reader.path
        let test = isTestInput(path)
        log.currentSplit = test ? 2 : 0
        var stats = IngestReport.InputStats(path: path, compression: reader.source.compression.rawValue,
                                            role: test ? "test" : "train", bytes: 0, linesRead: 0, linesParsed: 0,
                                            linesSkipped: 0, linesMalformed: 0, interactions: 0)
        switch config.format {
        case .yelpJSON where parallelJSON: try runParallelJSON(reader, flavor: .yelp, &stats)
        case .amazonJSON where parallelJSON: try runParallelJSON(reader, flavor: .amazon, &stats)
        case .yelpJSON: var p = JSONReviewParser(flavor: .yelp); try run(reader, &p, &stats)
        case .amazonJSON: var p = JSONReviewParser(flavor: .amazon); try run(reader, &p, &stats)
        case .lightgcn: var p = LightGCNParser(); try run(reader, &p, &stats)
        case .movielens: var p = DelimitedParser(movieLensFile: path); try run(reader, &p, &stats)
        case .csv:
            var p = DelimitedParser(file: path, delimiter: config.delimiter == "\\t" ? "\t" : config.delimiter,
                                    hasHeader: config.hasHeader,
                                    columns: .init(user: config.userColumn, item: config.itemColumn,
                                                   rating: config.ratingColumn, timestamp: config.timestampColumn),
                                    dateFormat: config.timestampFormat)
            try run(reader, &p, &stats)
        }
        stats.bytes = reader.bytesRead
        report.inputs.append(stats)
    }

    private mutating func run<P: LineParser>(_ reader: LineReader, _ parser: inout P, _ stats: inout IngestReport.InputStats) throws {
        let path = reader.path
        var lastLine = 0
        do {
            try reader.forEachLine { line, number in
                lastLine = number
                if line.count > reader.maxLineLength { throw lineTooLong(path, number, reader.maxLineLength) }
                try count(parser.parse(line, lineNumber: number, into: &log), path, number, line, &stats)
            }
        } catch is LineTooLong {
            throw lineTooLong(path, lastLine + 1, reader.maxLineLength)
        }
    }

    /// The error for a line over `max_line_length` (exit 65).
    func lineTooLong(_ path: String, _ line: Int, _ limit: Int) -> AccfError {
        AccfError.badData(path, line: line, "line is longer than max_line_length (\(limit) bytes)",
                          hint: "is this a text file in the declared format? (raise max_line_length if its lines are really this long)")
    }

    /// Counts one line's outcome in the report and the file's stats.
    mutating func count(_ outcome: LineOutcome, _ path: String, _ number: Int, _ line: UnsafeBufferPointer<UInt8>,
                                _ stats: inout IngestReport.InputStats) throws {
        stats.linesRead += 1
        report.linesRead += 1
        switch outcome {
        case .parsed(let n):
            stats.linesParsed += 1
            report.linesParsed += 1
            stats.interactions += n
            report.interactionsParsed += n
        case .skipped:
            stats.linesSkipped += 1
            report.linesSkipped += 1
        case .malformed(let reason):
            stats.linesMalformed += 1
            report.linesMalformed += 1
            note(reason, path, number, line)
            if report.linesMalformed & 1023 == 0 { try checkBadFraction(final: false) }
        }
    }

    mutating func note(_ reason: String, _ path: String, _ line: Int, _ text: UnsafeBufferPointer<UInt8>) {
        let k: Int
        if let existing = reasonIndex[reason] {
            k = existing
        } else {
            k = report.malformed.count
            reasonIndex[reason] = k
            report.malformed.append(.init(reason: reason, count: 0, examples: []))
        }
        report.malformed[k].count += 1
        if report.malformed[k].examples.count < config.maxExamplesPerReason {
            // Cut at a character boundary so the example stays valid UTF-8.
            var cut = min(text.count, 160)
            while cut < text.count && cut > 0 && text[cut] & 0xC0 == 0x80 { cut -= 1 }
            var s = String(decoding: text.prefix(cut), as: UTF8.self)
            if cut < text.count { s += "…" }
            report.malformed[k].examples.append(.init(file: path, line: line, text: s))
        }
    }

    func checkBadFraction(final: Bool) throws {
        let data = report.linesParsed + report.linesMalformed
        if data == 0 || (!final && data < 10_000) { return }
        let fraction = Double(report.linesMalformed) / Double(data)
        if fraction > config.maxBadLineFraction {
            let first = report.malformed.first
            let example = first?.examples.first.map { "first: \($0.file):\($0.line): \(first!.reason)" } ?? ""
            throw AccfError(.dataError,
                            "\(report.linesMalformed) of \(data) data lines malformed (\(percent(fraction))), above max_bad_line_fraction \(percent(config.maxBadLineFraction)); \(example)",
                            hint: "check --format and the column mapping, or raise --max-bad-line-fraction")
        }
    }

    private func percent(_ f: Double) -> String {
        let v = (f * 10000).rounded() / 100
        return "\(v)%"
    }
}
