import Core
import Graph
import Ingest
import Logging

/// The shared training loop: sampling, steps, evaluation every n epochs, early stopping with a
/// warm-up, checkpoints, and exact resume. Models plug in through `RecommenderModel`.
final class Trainer {
    let config: TrainConfig
    let data: TrainingData
    let model: any RecommenderModel
    let modelType: any RecommenderModel.Type
    let sampler: TripletSampler
    let context: StepContext
    let store: CheckpointStore
    let output: String
    let logger: Logger
    let validEvaluator: Evaluator
    let metric: (RankingMetric, Int)
    let configHash: UInt64
    let graphHash: UInt64
    var progress: TrainingProgress
    var resumedFromStep: Int?
    var reporter: ProgressReporter
    var epochSeconds: [Double] = []

    init(config: TrainConfig, data: TrainingData, outputDirectory: String, options: TrainOptions, logger: Logger) throws {
        try config.validate()
        guard let type = ModelRegistry.model(named: config.model) else { throw AccfError.usage("unknown model \(config.model)") }
        guard data.graph.userCount == data.userCount, data.graph.itemCount == data.itemCount else {
            throw AccfError.usage("the graph has \(data.graph.userCount) users and \(data.graph.itemCount) items, the data \(data.userCount) and \(data.itemCount)",
                                  hint: "rebuild the graph from this ingest output (accf graph)")
        }
        guard data.train.count > 0 else { throw AccfError.badData("train split", "has no interactions", hint: "check the ingest filters") }
        self.config = config
        self.data = data
        modelType = type
        output = outputDirectory
        self.logger = logger
        sampler = TripletSampler(interactions: data.train, userCount: data.userCount, itemCount: data.itemCount)
        let validSampler = data.valid.count > 0 ? TripletSampler(interactions: data.valid, userCount: data.userCount, itemCount: data.itemCount) : nil
        context = StepContext(config: config, graph: data.graph, validation: validSampler)
        let modelContext = ModelContext(config: config, userCount: data.userCount, itemCount: data.itemCount, graph: data.graph,
                                        train: data.train, initRNG: SeededGenerator(seed: config.seed, stream: 0x494E_4954)) // "INIT"
        model = try type.init(context: modelContext)
        store = CheckpointStore(outputDirectory: outputDirectory, keep: config.keepCheckpoints)
        validEvaluator = Evaluator(userCount: data.userCount, heldOut: data.valid, masked: [data.train], ks: config.ks)
        metric = RankingMetric.parse(config.metric)!
        configHash = config.trajectoryHash
        graphHash = data.graphHash
        progress = TrainingProgress(samplerRNG: SeededGenerator(seed: config.seed, stream: 0x5341_4D50), // "SAMP"
                                    modelRNG: context.rng, validationRNG: context.validationRNG)
        reporter = ProgressReporter(enabled: options.showProgress)
        try FilePath.createDirectories(outputDirectory)
        if options.restart {
            // The training state of the old run goes; its published model and results stay until
            // `finish` replaces them atomically, so a restart that fails (disk full, killed) leaves
            // the previous model in place for export and for services.
            store.removeAll()
            unlink(FilePath.join(outputDirectory, "metrics.jsonl"))
        } else if let checkpoint = store.latest(logger: logger) {
            try restore(checkpoint)
            resumedFromStep = checkpoint.progress.globalStep
            logger.info("resuming from checkpoint at epoch \(progress.epoch + 1), step \(progress.globalStep)")
        }
        try trimMetricsLog()
    }

    var metricsPath: String { FilePath.join(output, "metrics.jsonl") }

    // MARK: - Checkpoints

    func snapshot() -> Checkpoint {
        var p = progress
        p.modelRNG = context.rng
        p.validationRNG = context.validationRNG
        var state = ByteWriter()
        model.encodeState(into: &state)
        let tensors = model.parameters.map {
            TensorState(name: $0.name, rows: $0.rows, columns: $0.columns, step: $0.step, learningRate: $0.learningRate,
                        value: $0.value, firstMoment: $0.firstMoment, secondMoment: $0.secondMoment)
        }
        return Checkpoint(modelName: modelType.modelName, configHash: configHash, graphHash: graphHash,
                          datasetHash: data.datasetHash, progress: p, tensors: tensors, modelState: state.bytes)
    }

    func restore(_ c: Checkpoint, parametersOnly: Bool = false) throws {
        let source = parametersOnly ? "the best checkpoint" : "the checkpoint in \(store.directory)"
        let hint = "pass --restart (or restart = true) to start over, or use another output directory"
        if c.modelName != modelType.modelName {
            throw AccfError.usage("\(source) is of model \(c.modelName), the config asks for \(modelType.modelName)", hint: hint)
        }
        if c.configHash != configHash {
            throw AccfError.usage("\(source) was written with another train config", hint: hint)
        }
        if c.graphHash != graphHash || c.datasetHash != data.datasetHash {
            throw AccfError.usage("\(source) was written for another dataset or graph", hint: hint)
        }
        let tensors = model.parameters
        guard tensors.count == c.tensors.count else { throw AccfError.corrupt(source, "holds \(c.tensors.count) tensors, the model has \(tensors.count)") }
        for (t, s) in zip(tensors, c.tensors) {
            guard t.name == s.name, t.rows == s.rows, t.columns == s.columns else {
                throw AccfError.corrupt(source, "tensor \(s.name) \(s.rows)×\(s.columns) does not match the model's \(t.name) \(t.rows)×\(t.columns)")
            }
            t.value = s.value; t.firstMoment = s.firstMoment; t.secondMoment = s.secondMoment
            t.step = s.step; t.learningRate = s.learningRate
            for i in t.gradient.indices { t.gradient[i] = 0 }
        }
        let state = c.modelState
        try state.withUnsafeBytes { raw in
            var reader = ByteReader(raw, file: source)
            try model.decodeState(from: &reader)
        }
        if !parametersOnly {
            progress = c.progress
            // max_epochs is not part of the config hash: a finished run can be extended.
            progress.finished = stopCondition(progress)
            context.rng = c.progress.modelRNG
            context.validationRNG = c.progress.validationRNG
        }
    }

    // MARK: - The loop

    func run() throws -> TrainReport {
        let batchSize = config.batchSize
        let batches = sampler.batchCount(batchSize: batchSize)
        while !progress.finished {
            let epoch = progress.epoch
            let watch = Stopwatch()
            if progress.batchPosition < batches {
                context.epoch = epoch
                try model.beginEpoch(epoch, context: context)
                let order = sampler.epochOrder(seed: config.seed, epoch: epoch)
                let stepWatch = Stopwatch()
                let startPosition = progress.batchPosition
                while progress.batchPosition < batches {
                    let batch = sampler.batch(order: order, index: progress.batchPosition, batchSize: batchSize, rng: &progress.samplerRNG)
                    context.globalStep = progress.globalStep
                    let losses = try model.trainStep(batch, context: context)
                    for (k, v) in losses { progress.lossSums[k, default: 0] += v }
                    progress.lossBatches += 1
                    progress.batchPosition += 1
                    progress.globalStep += 1
                    if let loss = losses.values.first, !loss.isFinite {
                        throw AccfError(.dataError, "training diverged at epoch \(epoch + 1), step \(progress.globalStep): loss is \(loss)",
                                        hint: "lower train.lr or raise train.reg")
                    }
                    if config.checkpointEverySteps > 0 && progress.globalStep % config.checkpointEverySteps == 0 {
                        try store.save(snapshot())
                    }
                    let done = progress.batchPosition - startPosition
                    reporter.update(epoch: epoch, done: progress.batchPosition, total: batches,
                                    loss: (progress.lossSums["bpr"] ?? 0) / Double(max(1, progress.lossBatches)),
                                    stepsPerSecond: Double(done) / max(stepWatch.seconds, 1e-9))
                }
                reporter.finishLine()
            }
            try endEpoch(seconds: watch.seconds)
        }
        return try finish()
    }

    func stopCondition(_ p: TrainingProgress) -> Bool {
        p.epoch >= config.maxEpochs || (p.epoch >= config.minEpochs && p.badEvaluations >= config.patience)
    }

    func endEpoch(seconds: Double) throws {
        let epoch = progress.epoch
        let epochs = epoch + 1
        let monitors = model.takeEpochMonitors()
        var losses: [String: Double] = [:]
        for (k, v) in progress.lossSums { losses[k] = v / Double(max(1, progress.lossBatches)) }
        var valid: [String: Double] = [:]
        var improved = false
        var evalSeconds = 0.0
        if epochs % config.evalEvery == 0 || epochs == config.maxEpochs {
            let w = Stopwatch()
            let emb = model.finalEmbeddings(threads: context.threads)
            let result = validEvaluator.evaluate(userEmbeddings: emb.users, itemEmbeddings: emb.items, dim: config.dim, threads: context.threads)
            evalSeconds = w.seconds
            valid = result.averages
            let value = result.mean(metric.0, at: metric.1)
            if value.isNaN || value > progress.bestMetric {
                improved = true
                if !value.isNaN { progress.bestMetric = value }
                progress.bestEpoch = epochs
                progress.badEvaluations = 0
            } else {
                progress.badEvaluations += 1
            }
        }
        epochSeconds.append(seconds)
        progress.epoch += 1
        progress.batchPosition = 0
        progress.lossSums = [:]
        progress.lossBatches = 0
        progress.finished = stopCondition(progress)
        // Log line first (a kill before the checkpoint redoes the epoch end and trims the line).
        var line = "{\"epoch\":\(epochs),\"step\":\(progress.globalStep),\"seconds\":\(JSONNumber.format(seconds)),\"eval_seconds\":\(JSONNumber.format(evalSeconds))"
        line += ",\"loss\":\(JSONNumber.object(losses)),\"valid\":\(JSONNumber.object(valid)),\"monitors\":\(JSONNumber.object(monitors))"
        line += ",\"best_epoch\":\(progress.bestEpoch),\"improved\":\(improved)}\n"
        try appendMetrics(line)
        var meta: Logger.Metadata = ["epoch": "\(epochs)", "seconds": "\(JSONNumber.format(seconds))", "best_epoch": "\(progress.bestEpoch)"]
        for (k, v) in losses { meta["loss_" + k] = "\(JSONNumber.format(v))" }
        if let v = valid[config.metric] { meta["valid_" + config.metric] = "\(JSONNumber.format(v))" }
        logger.info("epoch done", metadata: meta)
        // Best before latest: a kill between the two redoes this epoch end and rewrites the same best.
        let checkpoint = snapshot()
        if improved { try store.saveBest(checkpoint) }
        try store.save(checkpoint)
    }

    func finish() throws -> TrainReport {
        if FilePath.exists(store.bestPath) {
            try restore(try Checkpoint.read(path: store.bestPath), parametersOnly: true)
        }
        let emb = model.finalEmbeddings(threads: context.threads)
        let testEvaluator = Evaluator(userCount: data.userCount, heldOut: data.test, masked: [data.train, data.valid], ks: config.ks)
        let result = testEvaluator.evaluate(userEmbeddings: emb.users, itemEmbeddings: emb.items, dim: config.dim, threads: context.threads)
        let test = result.averages
        // Cold-start breakdown: users with fewer than 10 train interactions.
        let trainCounts = ItemExclusions(userCount: data.userCount, splits: [data.train])
        var cold: [String: Double] = [:]
        for k in result.ks { for m in RankingMetric.allCases { cold[m.key(at: k)] = result.mean(m, at: k) { trainCounts.count(of: Int($0)) < 10 } } }
        let coldUsers = result.users.filter { trainCounts.count(of: Int($0)) < 10 }.count
        let final = FinalModel(modelName: modelType.modelName, dim: config.dim, userEmbeddings: emb.users, itemEmbeddings: emb.items,
                               hyperparameters: config.hyperparameters(defaults: modelType.optionDefaults), testMetrics: test,
                               datasetHash: data.datasetHash, graphHash: graphHash)
        let modelPath = FilePath.join(output, "model.accfmodel")
        try final.write(to: modelPath)
        var json = "{\n  \"model\": \(JSONText.quote(modelType.modelName)),\n  \"epochs\": \(progress.epoch),\n  \"best_epoch\": \(progress.bestEpoch),\n"
        json += "  \"valid_\(config.metric)\": \(JSONNumber.format(progress.bestMetric)),\n"
        json += "  \"test_users\": \(result.users.count),\n  \"test\": \(JSONNumber.object(test)),\n"
        json += "  \"cold_start_users\": \(coldUsers),\n  \"test_cold_start\": \(JSONNumber.object(cold)),\n"
        // Sparse-test breakdown (the article's cold-start table): users with < 10 test interactions.
        let sparse = result.averages(heldOutBelow: 10)
        json += "  \"sparse_test_users\": \(sparse.users),\n  \"test_sparse\": \(JSONNumber.object(sparse.averages)),\n"
        json += "  \"model_hash\": \"\(String(final.contentHash, radix: 16))\"\n}\n"
        try AtomicFileWriter.write(Array(json.utf8), to: FilePath.join(output, "results.json"))
        return TrainReport(modelName: modelType.modelName, epochs: progress.epoch, bestEpoch: progress.bestEpoch,
                           bestValidMetric: progress.bestMetric, testMetrics: test, resumedFromStep: resumedFromStep,
                           secondsPerEpoch: epochSeconds.isEmpty ? 0 : epochSeconds.reduce(0, +) / Double(epochSeconds.count),
                           peakResidentBytes: ResourceUsage.peakResidentBytes(),
                           modelPath: modelPath, modelHash: final.contentHash)
    }

    // MARK: - Metrics log

    func appendMetrics(_ line: String) throws {
        let fd = open(metricsPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 { throw AccfError.cannotCreate(metricsPath, String(cString: strerror(errno))) }
        defer { close(fd) }
        var text = line
        let ok = text.withUTF8 { buf in write(fd, buf.baseAddress, buf.count) == buf.count }
        if !ok { throw AccfError.io(metricsPath, "cannot append to the metrics log") }
    }

    /// Drops log lines of epochs the resumed state has not completed (written before a kill).
    func trimMetricsLog() throws {
        guard FilePath.exists(metricsPath) else { return }
        let text = String(decoding: try FilePath.readAll(metricsPath), as: UTF8.self)
        var kept: [Substring] = []
        for line in text.split(separator: "\n") {
            guard line.hasPrefix("{\"epoch\":") else { continue }
            let digits = line.dropFirst(9).prefix { $0.isNumber }
            if let e = Int(digits), e <= progress.epoch { kept.append(line) }
        }
        let rewritten = kept.map { $0 + "\n" }.joined()
        if rewritten != text { try AtomicFileWriter.write(Array(rewritten.utf8), to: metricsPath) }
    }
}

/// Deterministic JSON numbers and flat objects for logs and results (NaN/inf → null).
enum JSONNumber {
    static func format(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

    static func object(_ values: [String: Double]) -> String {
        "{" + values.keys.sorted().map { "\(JSONText.quote($0)):\(format(values[$0]!))" }.joined(separator: ",") + "}"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
