import Core
import Foundation

/// A pipeline manifest (`pipelines/NAME.toml`), parsed once and decoded section by section.
///
/// Why a class of its own rather than one big Codable struct: each stage owns its config type
/// (`IngestConfig`, `TrainConfig`, …) in its own module, so the manifest only knows section names;
/// `decode(_:section:)` hands a section to the stage's type and then rejects every key that type
/// did not read. Every error names the file, the line and the key path, and says what to do.
/// Relative paths resolve against the manifest's folder, so a manifest works from any cwd.
struct Manifest: Sendable {
    /// The sections a manifest may have, in pipeline order.
    static let knownSections = ["pipeline", "synth", "ingest", "graph", "train", "export"]

    /// The manifest file as given (used in messages).
    let path: String
    /// The absolute folder relative paths resolve against.
    let folder: String
    /// The whole document.
    private(set) var root: TOMLNode
    /// XXH64 of the manifest bytes (recorded in the export's metadata).
    let contentHash: UInt64
    private let keyLines: TOMLKeyLines

    /// Reads and parses a manifest; a missing file exits 66, a syntax error or unknown section 64.
    /// `sections` are the sections allowed (a study manifest adds `[study]`).
    static func load(path: String, sections: [String] = Manifest.knownSections) throws -> Manifest {
        guard FilePath.exists(path), !FilePath.isDirectory(path) else {
            throw AccfError.missingInput(path, hint: "pass the path of a pipeline manifest, e.g. pipelines/demo.toml")
        }
        let bytes = try FilePath.readAll(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw AccfError(.usage, "\(path): not UTF-8 text", hint: "a manifest is a TOML file in UTF-8")
        }
        return try Manifest(text: text, path: path, contentHash: XXHash64.hash(bytes), sections: sections)
    }

    /// Parses manifest text; `path` decides the folder relative paths resolve against.
    init(text: String, path: String, contentHash: UInt64? = nil, sections: [String] = Manifest.knownSections) throws {
        self.path = path
        self.folder = Manifest.absolute(FilePath.directory(of: path), relativeTo: FileManager.default.currentDirectoryPath)
        self.keyLines = TOMLKeyLines(text: text)
        self.root = try TOMLNode.parse(text, file: path)
        self.contentHash = contentHash ?? XXHash64.hash(Array(text.utf8))
        for key in root.keys where !sections.contains(key) {
            throw error(at: [key], "unknown section [\(key)]",
                        hint: "sections are \(sections.map { "[\($0)]" }.joined(separator: ", "))")
        }
        for key in root.keys {
            if let node = root[key], case .table = node { continue }
            throw error(at: [key], "\(key) must be a section ([\(key)]), found \(root[key]?.kindName ?? "nothing")")
        }
    }

    /// The manifest with single keys replaced (command-line flags of a stage command), e.g.
    /// `["train.dim": .int(32)]`. Messages about an overridden key point at the manifest's
    /// section line; paths in overrides should already be absolute (flags resolve against the cwd).
    func overriding(_ overrides: [(key: String, value: TOMLNode)]) -> Manifest {
        var copy = self
        for (key, value) in overrides {
            copy.root = copy.root.setting(key.split(separator: ".").map(String.init), to: value)
        }
        return copy
    }

    /// Whether the manifest has `[section]`.
    func has(_ section: String) -> Bool { root[section] != nil }

    /// Decodes `[section]` into `T`; unknown keys and wrong types throw (exit 64) with file, line and key path.
    /// A missing section decodes from an empty table, i.e. every default.
    func decode<T: Decodable>(_ type: T.Type, section: String) throws -> T {
        let node = root[section] ?? .table([])
        let decoder = ManifestDecoder()
        let value: T
        do {
            value = try decoder.decode(type, from: node, at: [section])
        } catch let failure as ManifestDecodeFailure {
            let parts = failure.path.split(separator: ".").map(String.init)
            throw error(at: parts, "\(failure.path): \(failure.reason)")
        } catch let failure as AccfError {
            throw AccfError(failure.status, "\(path): [\(section)]: \(failure.message)", hint: failure.hint)
        }
        let unknown = decoder.unknownKeys(in: node, at: [section])
        if let first = unknown.min(by: { (line(of: $0) ?? 0) < (line(of: $1) ?? 0) }) {
            let more = unknown.count > 1 ? " (and \(unknown.count - 1) more: \(unknown.filter { $0 != first }.joined(separator: ", ")))" : ""
            throw error(at: first.split(separator: ".").map(String.init), "unknown key \(first)\(more)",
                        hint: "check the spelling; docs/manifest.md lists every key with its default")
        }
        return value
    }

    /// The line a dotted key path is written on (or its nearest enclosing key's).
    func line(of keyPath: String) -> Int? {
        keyLines.line(of: keyPath.split(separator: ".").map { String($0.split(separator: "[").first ?? $0) })
    }

    /// "file:line" for a key path, or the file alone when the key is not written (a default).
    func location(of keyPath: String) -> String {
        line(of: keyPath).map { "\(path):\($0)" } ?? path
    }

    /// A usage error (exit 64) at a key.
    func error(at keyPath: [String], _ message: String, hint: String = "") -> AccfError {
        let location = keyLines.line(of: keyPath).map { "\(path):\($0)" } ?? path
        return AccfError(.usage, "\(location): \(message)", hint: hint)
    }

    /// A path from the manifest made absolute against the manifest's folder ("" stays "").
    func resolve(_ value: String) -> String {
        value.isEmpty ? value : Manifest.absolute(value, relativeTo: folder)
    }

    /// Checks that an input the manifest names exists; exit 66 naming the key and its line.
    func requireExisting(_ resolvedPath: String, key: String) throws {
        guard FilePath.exists(resolvedPath) else {
            throw AccfError(.noInput, "\(location(of: key)): \(key) = \(resolvedPath): no such file or directory",
                            hint: "fix the path (relative paths resolve against \(folder)) or create the file")
        }
    }

    /// `path` made absolute against `base`, with "." and ".." components removed.
    static func absolute(_ path: String, relativeTo base: String) -> String {
        let joined = path.hasPrefix("/") ? path : FilePath.join(base, path)
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// Builds manifest errors before a `Manifest` exists (TOML syntax errors).
enum AccfErrorFactory {
    static func manifest(_ file: String, line: Int, _ message: String) -> AccfError {
        AccfError(.usage, "\(file):\(line): \(message)", hint: "fix the manifest's TOML syntax")
    }
}
