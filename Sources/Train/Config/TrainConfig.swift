import Core

/// Configuration of the train stage (manifest section `[train]`, or `accf train --config`).
///
/// Every field has a default (LightGCN's published yelp2018 setup); `validate()` names the key of
/// any bad value. `model_options` holds the chosen model's own hyperparameters.
public struct TrainConfig: Codable, Sendable, Equatable {
    public var model = "lightgcn"
    public var dim = 64
    public var layers = 3
    public var batchSize = 2048
    public var lr: Double = 1e-3
    public var reg: Double = 1e-4
    public var maxEpochs = 1000
    public var minEpochs = 50
    public var patience = 10
    public var evalEvery = 1
    public var checkpointEverySteps = 500
    public var keepCheckpoints = 3
    public var seed: UInt64 = 2026
    /// Worker threads; 0 = all cores.
    public var threads = 0
    /// Early-stopping metric on the validation split, e.g. "ndcg@20".
    public var metric = "ndcg@20"
    public var ks = [10, 20]
    public var modelOptions = ModelOptions()

    enum CodingKeys: String, CodingKey {
        case model, dim, layers, lr, reg, seed, threads, metric, ks, patience
        case batchSize = "batch_size"
        case maxEpochs = "max_epochs"
        case minEpochs = "min_epochs"
        case evalEvery = "eval_every"
        case checkpointEverySteps = "checkpoint_every_steps"
        case keepCheckpoints = "keep_checkpoints"
        case modelOptions = "model_options"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainConfig()
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? d.model
        dim = try c.decodeIfPresent(Int.self, forKey: .dim) ?? d.dim
        layers = try c.decodeIfPresent(Int.self, forKey: .layers) ?? d.layers
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        lr = try c.decodeIfPresent(Double.self, forKey: .lr) ?? d.lr
        reg = try c.decodeIfPresent(Double.self, forKey: .reg) ?? d.reg
        maxEpochs = try c.decodeIfPresent(Int.self, forKey: .maxEpochs) ?? d.maxEpochs
        minEpochs = try c.decodeIfPresent(Int.self, forKey: .minEpochs) ?? d.minEpochs
        patience = try c.decodeIfPresent(Int.self, forKey: .patience) ?? d.patience
        evalEvery = try c.decodeIfPresent(Int.self, forKey: .evalEvery) ?? d.evalEvery
        checkpointEverySteps = try c.decodeIfPresent(Int.self, forKey: .checkpointEverySteps) ?? d.checkpointEverySteps
        keepCheckpoints = try c.decodeIfPresent(Int.self, forKey: .keepCheckpoints) ?? d.keepCheckpoints
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? d.threads
        metric = try c.decodeIfPresent(String.self, forKey: .metric) ?? d.metric
        ks = try c.decodeIfPresent([Int].self, forKey: .ks) ?? d.ks
        modelOptions = try c.decodeIfPresent(ModelOptions.self, forKey: .modelOptions) ?? d.modelOptions
    }

    /// Throws `AccfError.usage` naming the first bad key (including unknown models and model options).
    public func validate() throws {
        func check(_ ok: Bool, _ key: String, _ what: String) throws {
            if !ok { throw AccfError.usage("train.\(key) \(what)") }
        }
        guard let type = ModelRegistry.model(named: model) else {
            throw AccfError.usage("train.model: unknown model \(model.debugDescription)",
                                  hint: "choose one of: \(ModelRegistry.names.joined(separator: ", "))")
        }
        try check(dim > 0 && dim <= 4096, "dim", "must be in 1...4096, got \(dim)")
        try check(layers >= 0 && layers <= 16, "layers", "must be in 0...16, got \(layers)")
        try check(batchSize > 0, "batch_size", "must be positive, got \(batchSize)")
        try check(lr > 0 && lr.isFinite, "lr", "must be a positive number, got \(lr)")
        try check(reg >= 0 && reg.isFinite, "reg", "must be non-negative, got \(reg)")
        try check(maxEpochs > 0, "max_epochs", "must be positive, got \(maxEpochs)")
        try check(minEpochs >= 0, "min_epochs", "must be non-negative, got \(minEpochs)")
        try check(patience > 0, "patience", "must be positive, got \(patience)")
        try check(evalEvery > 0, "eval_every", "must be positive, got \(evalEvery)")
        try check(checkpointEverySteps >= 0, "checkpoint_every_steps", "must be non-negative (0 = epoch ends only), got \(checkpointEverySteps)")
        try check(keepCheckpoints > 0, "keep_checkpoints", "must be positive, got \(keepCheckpoints)")
        try check(threads >= 0, "threads", "must be non-negative (0 = all cores), got \(threads)")
        try check(!ks.isEmpty && ks.allSatisfy { $0 > 0 && $0 <= 1000 }, "ks", "must be cutoffs in 1...1000, got \(ks)")
        guard let (_, k) = RankingMetric.parse(metric) else {
            throw AccfError.usage("train.metric: \(metric.debugDescription) is not a metric",
                                  hint: "use one of precision, recall, ndcg, map, hit_rate followed by @K, e.g. ndcg@20")
        }
        try check(ks.contains(k), "metric", "cutoff @\(k) must be one of ks \(ks)")
        try modelOptions.validate(model: model, known: type.optionDefaults)
    }

    /// Worker threads to use.
    public var resolvedThreads: Int { threads > 0 ? threads : Parallel.defaultThreads }

    /// Hash of everything that changes the training trajectory. Not hashed: `threads` (results
    /// do not depend on it in this engine's kernels), checkpoint cadence and retention, and
    /// `max_epochs` (so a finished run can be extended by raising it and resuming).
    public var trajectoryHash: UInt64 {
        var w = ByteWriter()
        w.append(string: model); w.append(UInt64(dim)); w.append(UInt64(layers)); w.append(UInt64(batchSize))
        w.append(lr); w.append(reg); w.append(UInt64(minEpochs)); w.append(UInt64(patience)); w.append(UInt64(evalEvery))
        w.append(seed); w.append(string: metric)
        for k in ks { w.append(UInt64(k)) }
        for key in modelOptions.values.keys.sorted() {
            w.append(string: key); w.append(string: modelOptions.values[key]!.description)
        }
        return XXHash64.hash(w.bytes)
    }

    /// The hyperparameters recorded in the model file.
    public func hyperparameters(defaults: [String: ModelOptionValue]) -> [String: String] {
        var h = modelOptions.resolved(defaults: defaults)
        h["model"] = model; h["dim"] = String(dim); h["layers"] = String(layers); h["batch_size"] = String(batchSize)
        h["lr"] = String(lr); h["reg"] = String(reg); h["seed"] = String(seed); h["metric"] = metric
        return h
    }
}
