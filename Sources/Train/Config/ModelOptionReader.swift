import Core

/// Typed reads of one model's `model_options`, with each default taken from the model's
/// `optionDefaults` table.
///
/// Why: a model that repeated its defaults at the read (`double("tau", default: 0.2)`) kept two
/// copies of every default, and the documented table and the value used could drift apart. Here
/// the declared table is the only copy; reading a key it does not declare is a programming error.
struct ModelOptionReader {
    let model: String
    let options: ModelOptions
    let defaults: [String: ModelOptionValue]

    /// Rejects keys the model does not declare (a usage error naming them).
    init(model: String, options: ModelOptions, defaults: [String: ModelOptionValue]) throws {
        try options.validate(model: model, known: defaults)
        self.model = model
        self.options = options
        self.defaults = defaults
    }

    func number(_ key: String) throws -> Float {
        guard case .number(let d)? = defaults[key] else { preconditionFailure("\(model) declares no number option \(key)") }
        return Float(try options.double(key, default: d))
    }

    func integer(_ key: String) throws -> Int {
        guard case .number(let d)? = defaults[key] else { preconditionFailure("\(model) declares no number option \(key)") }
        return try options.int(key, default: Int(d))
    }

    func flag(_ key: String) throws -> Bool {
        guard case .bool(let b)? = defaults[key] else { preconditionFailure("\(model) declares no flag option \(key)") }
        return try options.bool(key, default: b)
    }

    func choice<T: RawRepresentable>(_ key: String, _: T.Type) throws -> T where T.RawValue == String {
        guard case .string(let s)? = defaults[key] else { preconditionFailure("\(model) declares no string option \(key)") }
        let value = try options.string(key, default: s)
        guard let t = T(rawValue: value) else {
            throw AccfError.usage("train.model_options.\(key): unknown value \(value.debugDescription)")
        }
        return t
    }

    /// A usage error `train.model_options.<key> <what>, got <value>` unless `ok`.
    func require(_ ok: Bool, _ key: String, _ what: String, got value: CustomStringConvertible) throws {
        if !ok { throw AccfError.usage("train.model_options.\(key) \(what), got \(value)") }
    }
}
