import Core

/// Entry points for `accf bench ingest`: the parsing phase alone, so its throughput can be
/// compared with other parsers (the Python `json.loads` reference) without filtering and writing.
public enum IngestBenchmark {
    /// What one parse pass saw.
    public struct ParseResult: Sendable {
        public var bytes: Int
        public var lines: Int
        public var interactions: Int
        public var malformed: Int

        public init(bytes: Int, lines: Int, interactions: Int, malformed: Int) {
            self.bytes = bytes
            self.lines = lines
            self.interactions = interactions
            self.malformed = malformed
        }
    }

    /// Reads and parses `config.inputs` exactly as `IngestStage.run` does, then stops.
    public static func parse(config: IngestConfig) throws -> ParseResult {
        try config.validate()
        var reading = InputReading(config: config)
        try reading.readAll()
        let r = reading.report
        return ParseResult(bytes: r.inputs.reduce(0) { $0 + $1.bytes }, lines: r.linesRead,
                           interactions: r.interactionsParsed, malformed: r.linesMalformed)
    }
}
