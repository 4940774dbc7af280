/// One per-model hyperparameter value from a manifest or a config file.
public enum ModelOptionValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case bool(Bool)
    case string(String)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let d = try? c.decode(Double.self) { self = .number(d); return }
        self = .string(try c.decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        case .string(let s): try c.encode(s)
        }
    }

    public var description: String {
        switch self {
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return String(b)
        case .string(let s): return s
        }
    }
}

/// The per-model section of the train config (e.g. `[train.lightgcn]` / `"model_options"`):
/// free keys, typed on read by the model that owns them.
///
/// Why not one struct per model inside `TrainConfig`: models are added in their own files (ACCF,
/// XSimGCL, …) without touching the engine; each declares its keys with defaults
/// (`RecommenderModel.optionDefaults`), and `validate(for:)` rejects unknown keys by name.
public struct ModelOptions: Codable, Sendable, Equatable {
    public var values: [String: ModelOptionValue]

    public init(_ values: [String: ModelOptionValue] = [:]) { self.values = values }

    public init(from decoder: Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: ModelOptionValue].self)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(values)
    }

    /// A number option, or `defaultValue` when absent; a non-number is a usage error.
    public func double(_ key: String, default defaultValue: Double) throws -> Double {
        guard let v = values[key] else { return defaultValue }
        if case .number(let d) = v { return d }
        throw AccfError.usage("train model option \(key) must be a number, got \(v)")
    }

    public func int(_ key: String, default defaultValue: Int) throws -> Int {
        let d = try double(key, default: Double(defaultValue))
        guard d == d.rounded(), abs(d) < 1e12 else { throw AccfError.usage("train model option \(key) must be an integer, got \(d)") }
        return Int(d)
    }

    public func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let v = values[key] else { return defaultValue }
        if case .bool(let b) = v { return b }
        throw AccfError.usage("train model option \(key) must be true or false, got \(v)")
    }

    public func string(_ key: String, default defaultValue: String) throws -> String {
        guard let v = values[key] else { return defaultValue }
        if case .string(let s) = v { return s }
        throw AccfError.usage("train model option \(key) must be a string, got \(v)")
    }

    /// Rejects keys the model does not declare.
    public func validate(model: String, known: [String: ModelOptionValue]) throws {
        for key in values.keys.sorted() where known[key] == nil {
            let list = known.keys.sorted().joined(separator: ", ")
            throw AccfError.usage("unknown option \(key) for model \(model)",
                                  hint: list.isEmpty ? "\(model) takes no model options" : "\(model) takes: \(list)")
        }
    }

    /// Defaults overlaid with the given values, as strings (for the model file's hyperparameters).
    public func resolved(defaults: [String: ModelOptionValue]) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in defaults { out[k] = v.description }
        for (k, v) in values { out[k] = v.description }
        return out
    }
}

import Core
