import Core
import Graph
import Ingest

/// What a model sees when it is built: the data's shape, the graph, the config and an
/// initialization generator.
public struct ModelContext {
    public let config: TrainConfig
    public let userCount: Int
    public let itemCount: Int
    public let graph: NormalizedGraph
    public let train: InteractionColumns
    /// Seeded from `config.seed` (stream "init"): draw initial parameters from it, in a fixed order.
    public var initRNG: SeededGenerator

    public var nodeCount: Int { userCount + itemCount }
    public var threads: Int { config.resolvedThreads }
}

/// What a model sees during a training step, owned by the trainer and checkpointed by it.
///
/// Why a class: models mutate its generators (noise draws, validation batches) and the trainer
/// saves their states in every checkpoint, so resumed runs draw exactly the same numbers.
public final class StepContext {
    public let config: TrainConfig
    public let threads: Int
    public let adam: Adam
    public let graph: NormalizedGraph
    /// Epoch (0-based) and global step (number of steps done before this one).
    public internal(set) var epoch: Int = 0
    public internal(set) var globalStep: Int = 0
    /// The model's own random stream (noise, dropout); checkpointed.
    public var rng: SeededGenerator
    /// The stream behind `validationBatch`; checkpointed.
    var validationRNG: SeededGenerator
    let validationSampler: TripletSampler?
    /// Phase timings (`accf bench train --profile`); nil in training.
    public internal(set) var profile: PhaseProfile?

    init(config: TrainConfig, graph: NormalizedGraph, validation: TripletSampler?) {
        self.config = config
        threads = config.resolvedThreads
        adam = Adam()
        self.graph = graph
        rng = SeededGenerator(seed: config.seed, stream: 0x4D4F_4445)        // "MODE"
        validationRNG = SeededGenerator(seed: config.seed, stream: 0x5641_4C49) // "VALI"
        validationSampler = validation
    }

    /// A batch of validation triplets (uniform positives with replacement, uniform negatives),
    /// for a bi-level outer step. Empty when the data has no validation split.
    public func validationBatch(size: Int) -> TripletBatch {
        guard let s = validationSampler else { return TripletBatch() }
        return s.randomBatch(size: size, rng: &validationRNG)
    }

    /// Applies Adam to `tensor` with its own learning rate and zeroes its gradient.
    public func step(_ tensor: ParameterTensor) { phase("adam") { adam.update(tensor, threads: threads) } }

    /// `step` that leaves the used gradient in place: for a model whose next backward pass
    /// overwrites every element of it anyway (saves one N × d pass per step).
    public func stepKeepingGradient(_ tensor: ParameterTensor) {
        phase("adam") { adam.update(tensor, threads: threads, zeroGradient: false) }
    }
}

/// A recommender trained by the shared `Trainer` (the SELFRec shape: the model file holds only
/// what is specific to the model; sampling, evaluation, early stopping and checkpoints are shared).
///
/// A model lists its trainable tensors (embedding tables and any extra parameters such as an MLP)
/// in a fixed order; the trainer checkpoints their values and Adam state. `trainStep` is free to
/// run several forward/backward propagations and to draw validation batches for an outer step.
/// Everything that influences later steps must live in `parameters`, in the context's
/// generators, or in `encodeState`, so a resumed run is byte-identical to an uninterrupted one.
public protocol RecommenderModel: AnyObject {
    /// Registry name, lower case (the `model` config key), e.g. "lightgcn".
    static var modelName: String { get }
    /// The model's own options with their defaults; other keys are rejected.
    static var optionDefaults: [String: ModelOptionValue] { get }

    /// Builds the model with freshly initialized parameters (validate options here).
    init(context: ModelContext) throws

    /// Trainable tensors, in a fixed order.
    var parameters: [ParameterTensor] { get }

    /// Called before the first batch of every epoch, also when a run resumes in the middle of an
    /// epoch: must depend only on `epoch`, the config and the graph (e.g. SGL's dropout views
    /// drawn from a generator seeded by the epoch), never on state changed by steps.
    func beginEpoch(_ epoch: Int, context: StepContext) throws

    /// One optimization step on a batch: forward, hand-written backward, `context.step(tensor)`
    /// for each updated tensor. Returns the loss terms to log (averaged over the epoch).
    func trainStep(_ batch: TripletBatch, context: StepContext) throws -> [String: Double]

    /// Clean forward pass: final user (userCount × dim) and item (itemCount × dim) embeddings
    /// whose dot products are the scores (evaluation and the exported model).
    func finalEmbeddings(threads: Int) -> (users: [Float], items: [Float])

    /// Monitoring values gathered since the last call (e.g. mean instance weight), logged per epoch.
    func takeEpochMonitors() -> [String: Double]

    /// State beyond `parameters` and the context's generators (counters, running statistics).
    func encodeState(into writer: inout ByteWriter)
    func decodeState(from reader: inout ByteReader) throws
}

public extension RecommenderModel {
    static var optionDefaults: [String: ModelOptionValue] { [:] }
    func beginEpoch(_ epoch: Int, context: StepContext) throws {}
    func takeEpochMonitors() -> [String: Double] { [:] }
    func encodeState(into writer: inout ByteWriter) {}
    func decodeState(from reader: inout ByteReader) throws {}
}

/// The models `train.model` can name. Adding a model = its file plus one entry here.
public enum ModelRegistry {
    // An immutable list of metatypes: safe to share, though metatypes of a non-Sendable protocol
    // are not `Sendable` in Swift 6's eyes.
    nonisolated(unsafe) public static let all: [any RecommenderModel.Type] = [BPRMF.self, LightGCN.self, ACCF.self, XSimGCL.self, SimGCL.self, SGL.self]

    public static var names: [String] { all.map { $0.modelName } }

    public static func model(named name: String) -> (any RecommenderModel.Type)? {
        all.first { $0.modelName == name.lowercased() }
    }
}

/// Shared helpers for models on a node embedding table.
public enum EmbeddingTable {
    /// One N × d table (users then items), Xavier-uniform over fan (N, d) as LightGCN-PyTorch's
    /// `nn.init.xavier_uniform_` does on each table; here each of the two blocks uses its own fan.
    public static func make(context: inout ModelContext, name: String = "embeddings") -> ParameterTensor {
        let d = context.config.dim
        let users = ParameterTensor.xavierUniform(rows: context.userCount, columns: d, fanIn: d, fanOut: context.userCount, rng: &context.initRNG)
        let items = ParameterTensor.xavierUniform(rows: context.itemCount, columns: d, fanIn: d, fanOut: context.itemCount, rng: &context.initRNG)
        return ParameterTensor(name: name, rows: context.nodeCount, columns: d, value: users + items,
                               learningRate: Float(context.config.lr))
    }

    /// Splits a node table into (users, items).
    public static func split(_ table: [Float], userCount: Int, dim: Int) -> (users: [Float], items: [Float]) {
        (Array(table[0..<userCount * dim]), Array(table[(userCount * dim)...]))
    }
}
