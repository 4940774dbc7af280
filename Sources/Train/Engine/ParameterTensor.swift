import Core

/// One trainable matrix with its gradient and its Adam state.
///
/// Why the optimizer state lives beside the values: a checkpoint must restore both bit-for-bit,
/// and models with extra parameters (ACCF's weight MLP) get checkpointing and Adam for free by
/// listing their tensors in `RecommenderModel.parameters`. `step` is per tensor so a tensor
/// updated less often (an outer/meta step every n inner steps) keeps its own bias correction.
public final class ParameterTensor: @unchecked Sendable {
    /// Stable name, checked on resume (e.g. "embeddings", "mlp.w1").
    public let name: String
    public let rows: Int
    public let columns: Int
    /// Row-major values.
    public var value: [Float]
    /// Accumulated gradient; optimizers zero it after applying it.
    public var gradient: [Float]
    /// Adam first and second moments.
    public var firstMoment: [Float]
    public var secondMoment: [Float]
    /// Number of Adam updates applied to this tensor.
    public var step: Int = 0
    /// Learning rate of this tensor (the trainer's `lr` unless the model sets another).
    public var learningRate: Float

    public init(name: String, rows: Int, columns: Int, value: [Float], learningRate: Float) {
        precondition(value.count == rows * columns, "\(name): value has \(value.count) entries, expected \(rows)×\(columns)")
        self.name = name
        self.rows = rows
        self.columns = columns
        self.value = value
        self.learningRate = learningRate
        gradient = [Float](repeating: 0, count: value.count)
        firstMoment = gradient
        secondMoment = gradient
    }

    /// Xavier-uniform values U(−a, a), a = √(6 / (fanIn + fanOut)), drawn row-major from `rng`.
    public static func xavierUniform(rows: Int, columns: Int, fanIn: Int, fanOut: Int, rng: inout SeededGenerator) -> [Float] {
        let a = (6 / Float(fanIn + fanOut)).squareRoot()
        return (0..<rows * columns).map { _ in (2 * rng.nextUnitFloat() - 1) * a }
    }
}
