import Core
import Foundation

/// Decides whether a stage is up to date, and if not, says why in words a user acts on.
///
/// The rules, DVC's: a stage is stale when it never finished, its last run failed or was
/// interrupted, the accf version changed, a parameter changed, an input's content changed, or an
/// output is missing or altered. Content hashes are memoized per run in `HashCache`, so an
/// upstream output is hashed once when its stage publishes it, not again for each reader.
enum Staleness {
    static func reasons(for stage: PipelineStage, record: StageRecord?, hashes: HashCache) throws -> [String] {
        guard let record else { return ["never run"] }
        switch record.status {
        case .running: return ["interrupted (the last run stopped during this stage)"]
        case .failed: return ["failed last time: \(record.error ?? "unknown error")"]
        case .finished: break
        }
        var reasons: [String] = []
        if record.toolVersion != AccfVersion.string {
            reasons.append("accf version changed (\(record.toolVersion) → \(AccfVersion.string))")
        }
        if record.parameters != stage.parameters {
            let keys = changedKeys(old: record.parameters, new: stage.parameters)
            reasons.append(keys.isEmpty ? "parameters changed" : "parameters changed: \(keys.joined(separator: ", "))")
        }
        let recordedInputs = Set(record.inputs.keys), currentInputs = Set(stage.inputs)
        for path in currentInputs.subtracting(recordedInputs).sorted() { reasons.append("new input \(path)") }
        for path in recordedInputs.subtracting(currentInputs).sorted() { reasons.append("input no longer used: \(path)") }
        for path in stage.inputs where recordedInputs.contains(path) {
            guard let hash = try hashes.hash(path) else { reasons.append("input missing: \(path)"); continue }
            if ContentHash.hex(hash) != record.inputs[path] { reasons.append("input changed: \(path)") }
        }
        for path in stage.outputs {
            guard let hash = try hashes.hash(path) else { reasons.append("output missing: \(path)"); continue }
            if ContentHash.hex(hash) != record.outputs[path] { reasons.append("output altered: \(path)") }
        }
        return reasons
    }

    /// Flattened parameter keys ("accf.epsilon") whose values differ between two canonical texts.
    static func changedKeys(old: String, new: String) -> [String] {
        let a = flatten(old), b = flatten(new)
        return Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
    }

    private static func flatten(_ json: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) else {
            return [:]
        }
        var out: [String: String] = [:]
        func walk(_ value: Any, _ prefix: String) {
            if let dict = value as? [String: Any] {
                for (key, child) in dict { walk(child, prefix.isEmpty ? key : "\(prefix).\(key)") }
            } else {
                out[prefix] = "\(value)"
            }
        }
        walk(object, "")
        return out
    }
}

/// Content hashes memoized for one run; a stage's outputs are re-hashed after it publishes them.
final class HashCache {
    private var memo: [String: UInt64?] = [:]

    func hash(_ path: String) throws -> UInt64? {
        if let known = memo[path] { return known }
        let value = try ContentHash.of(path)
        memo[path] = value
        return value
    }

    func forget(_ paths: [String]) {
        for path in paths {
            for key in memo.keys where key == path || key.hasPrefix(path + "/") || path.hasPrefix(key + "/") {
                memo[key] = nil
            }
        }
    }
}

/// Canonical parameter text for a stage config: sorted-key JSON, so equal configs give equal text.
enum CanonicalParameters {
    static func of<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) else {
            return String(describing: value)
        }
        return text
    }
}
