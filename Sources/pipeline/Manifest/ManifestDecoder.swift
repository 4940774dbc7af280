/// Decodes a `Decodable` config from a `TOMLNode`, recording every key the config asked for.
///
/// The stage configs decode each key with `decodeIfPresent` (every field has a default), so after
/// decoding, the recorded set is exactly the set of keys the config knows: any other key in the
/// manifest is a typo, reported by `unknownKeys`. Type mismatches become `ManifestDecodeFailure`
/// with the key path; `Manifest` adds the file and line.
final class ManifestDecoder {
    /// Key paths ("train.accf.epsilon") a config read or probed.
    private(set) var knownPaths: Set<String> = []
    /// Paths of tables a config enumerated as a whole (a dictionary): every key under them is known.
    private(set) var openPaths: Set<String> = []

    func decode<T: Decodable>(_ type: T.Type, from node: TOMLNode, at path: [String]) throws -> T {
        let decoder = NodeDecoder(node: node, codingPath: path.map(PathKey.init(stringValue:)), recorder: self)
        return try T(from: decoder)
    }

    func markKnown(_ path: [CodingKey]) { knownPaths.insert(Self.render(path)) }
    func markOpen(_ path: [CodingKey]) { openPaths.insert(Self.render(path)) }

    /// Keys present under `node` (at `path`) that the decoded config never read, in document order of paths.
    func unknownKeys(in node: TOMLNode, at path: [String]) -> [String] {
        var unknown: [String] = []
        func walk(_ node: TOMLNode, _ rendered: String) {
            if openPaths.contains(rendered) { return }
            switch node {
            case .table(let entries):
                for (key, value) in entries {
                    let child = rendered.isEmpty ? key : "\(rendered).\(key)"
                    if knownPaths.contains(child) { walk(value, child) } else { unknown.append(child) }
                }
            case .array(let elements):
                for (k, element) in elements.enumerated() { walk(element, "\(rendered)[\(k)]") }
            default: break
            }
        }
        walk(node, path.joined(separator: "."))
        return unknown
    }

    /// "a.b[2].c" from a coding path.
    static func render(_ path: [CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue, key.stringValue.hasPrefix("[") || key is IndexKey {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }
}

/// A decoding failure with the key path it happened at (rendered "train.dim").
struct ManifestDecodeFailure: Error {
    var path: String
    var reason: String
}

struct PathKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

struct IndexKey: CodingKey {
    var index: Int
    var stringValue: String { "[\(index)]" }
    var intValue: Int? { index }
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.index = intValue }
}

private struct NodeDecoder: Decoder {
    let node: TOMLNode
    let codingPath: [CodingKey]
    let recorder: ManifestDecoder
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .table(let entries) = node else {
            throw ManifestDecodeFailure(path: ManifestDecoder.render(codingPath), reason: "expected a table, found \(node.kindName)")
        }
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(entries: entries, codingPath: codingPath, recorder: recorder))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let elements) = node else {
            throw ManifestDecodeFailure(path: ManifestDecoder.render(codingPath), reason: "expected an array, found \(node.kindName)")
        }
        return UnkeyedNodeContainer(elements: elements, codingPath: codingPath, recorder: recorder)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer {
        SingleNodeContainer(node: node, codingPath: codingPath, recorder: recorder)
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let entries: [(key: String, value: TOMLNode)]
    let codingPath: [CodingKey]
    let recorder: ManifestDecoder

    var allKeys: [Key] {
        recorder.markOpen(codingPath)
        return entries.compactMap { Key(stringValue: $0.key) }
    }

    func contains(_ key: Key) -> Bool {
        recorder.markKnown(codingPath + [key])
        return entries.contains { $0.key == key.stringValue }
    }

    private func child(_ key: Key) throws -> TOMLNode {
        recorder.markKnown(codingPath + [key])
        guard let value = entries.first(where: { $0.key == key.stringValue })?.value else {
            throw ManifestDecodeFailure(path: ManifestDecoder.render(codingPath + [key]), reason: "missing required key")
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { !contains(key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let node = try child(key)
        return try SingleNodeContainer(node: node, codingPath: codingPath + [key], recorder: recorder).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(node: child(key), codingPath: codingPath + [key], recorder: recorder).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try NodeDecoder(node: child(key), codingPath: codingPath + [key], recorder: recorder).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder {
        NodeDecoder(node: .table(entries), codingPath: codingPath, recorder: recorder)
    }

    func superDecoder(forKey key: Key) throws -> Decoder {
        try NodeDecoder(node: child(key), codingPath: codingPath + [key], recorder: recorder)
    }
}

private struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let elements: [TOMLNode]
    let codingPath: [CodingKey]
    let recorder: ManifestDecoder
    var currentIndex = 0

    init(elements: [TOMLNode], codingPath: [CodingKey], recorder: ManifestDecoder) {
        self.elements = elements
        self.codingPath = codingPath
        self.recorder = recorder
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> (TOMLNode, [CodingKey]) {
        guard !isAtEnd else {
            throw ManifestDecodeFailure(path: ManifestDecoder.render(codingPath), reason: "the array has too few elements")
        }
        defer { currentIndex += 1 }
        return (elements[currentIndex], codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool { false }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (node, path) = try next()
        return try SingleNodeContainer(node: node, codingPath: path, recorder: recorder).decode(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (node, path) = try next()
        return try NodeDecoder(node: node, codingPath: path, recorder: recorder).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let (node, path) = try next()
        return try NodeDecoder(node: node, codingPath: path, recorder: recorder).unkeyedContainer()
    }

    mutating func superDecoder() throws -> Decoder {
        let (node, path) = try next()
        return NodeDecoder(node: node, codingPath: path, recorder: recorder)
    }
}

private struct SingleNodeContainer: SingleValueDecodingContainer {
    let node: TOMLNode
    let codingPath: [CodingKey]
    let recorder: ManifestDecoder

    private func mismatch(_ expected: String) -> ManifestDecodeFailure {
        var found = node.kindName
        switch node {
        case .string(let s): found += " (\"\(s)\")"
        case .int(let v): found += " (\(v))"
        case .double(let v): found += " (\(v))"
        case .bool(let v): found += " (\(v))"
        default: break
        }
        return ManifestDecodeFailure(path: ManifestDecoder.render(codingPath), reason: "expected \(expected), found \(found)")
    }

    func decodeNil() -> Bool { false }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let v) = node else { throw mismatch("a boolean (true or false)") }
        return v
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let v) = node else { throw mismatch("a string") }
        return v
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch node {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: throw mismatch("a number")
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard case .int(let v) = node else { throw mismatch("an integer") }
        guard let exact = I(exactly: v) else {
            throw ManifestDecodeFailure(path: ManifestDecoder.render(codingPath),
                                        reason: "\(v) is out of range (\(I.min)...\(I.max))")
        }
        return exact
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try T(from: NodeDecoder(node: node, codingPath: codingPath, recorder: recorder))
        } catch let error as DecodingError {
            // A config's own `init(from:)` (an enum's raw value, say) failing on this value.
            switch error {
            case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context),
                 .keyNotFound(_, let context):
                let path = context.codingPath.isEmpty ? codingPath : context.codingPath
                throw ManifestDecodeFailure(path: ManifestDecoder.render(path), reason: context.debugDescription)
            @unknown default:
                throw ManifestDecodeFailure(path: ManifestDecoder.render(codingPath), reason: "\(error)")
            }
        }
    }
}
