/// The optimizer of the instance-weight network's parameters (the outer, "meta" step).
///
/// Why separate from the embedding optimizer: the findings show Adam turns the tiny, noisy
/// hypergradients into full-size steps (weights drift to 170× the mean at meta-lr 1e-3), so the
/// meta step offers plain SGD as well, and its state is small enough to checkpoint as-is.
public struct MetaOptimizer: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case sgd, adam }

    public var kind: Kind
    public var learningRate: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    /// Steps taken (Adam bias correction).
    public var step: Int = 0
    public var firstMoment: [Float]
    public var secondMoment: [Float]

    public init(kind: Kind, learningRate: Float, parameterCount: Int) {
        self.kind = kind
        self.learningRate = learningRate
        firstMoment = kind == .adam ? [Float](repeating: 0, count: parameterCount) : []
        secondMoment = firstMoment
    }

    /// parameters ← parameters − step(gradient).
    public mutating func update(_ parameters: inout [Float], gradient: [Float]) {
        precondition(parameters.count == gradient.count)
        step += 1
        switch kind {
        case .sgd:
            for p in parameters.indices { parameters[p] -= learningRate * gradient[p] }
        case .adam:
            let c1 = 1 - powf(beta1, Float(step)), c2 = 1 - powf(beta2, Float(step))
            for p in parameters.indices {
                let g = gradient[p]
                firstMoment[p] = beta1 * firstMoment[p] + (1 - beta1) * g
                secondMoment[p] = beta2 * secondMoment[p] + (1 - beta2) * g * g
                let mHat = firstMoment[p] / c1, vHat = secondMoment[p] / c2
                parameters[p] -= learningRate * mHat / (vHat.squareRoot() + epsilon)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
