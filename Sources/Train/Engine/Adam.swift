/// Adam with bias correction (Kingma & Ba; the same arithmetic as PyTorch's `torch.optim.Adam`).
///
/// Rows without a gradient in a batch: Adam as defined still decays their moments and moves them
/// by the remaining momentum, so every row is updated every step ("dense" Adam, exactly what the
/// reference LightGCN/SELFRec code does with a dense embedding table). Lazy/sparse variants skip
/// those rows and change the trajectory, so none is used; the only rows that could be skipped
/// exactly (never touched: m = v = 0) are updated to the same bytes anyway. The state is
/// therefore the full dense (m, v, step) per tensor, and resume restores it exactly.
public struct Adam: Sendable, Equatable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// Applies one update from `tensor.gradient`, then zeroes the gradient unless `zeroGradient`
    /// is false (a caller whose next backward pass overwrites every element saves that pass).
    public func update(_ tensor: ParameterTensor, threads: Int, zeroGradient: Bool = true) {
        tensor.step += 1
        let t = Double(tensor.step)
        let bc1 = 1 - pow(Double(beta1), t)
        let bc2 = 1 - pow(Double(beta2), t)
        AdamKernel.update(value: &tensor.value, gradient: &tensor.gradient, m: &tensor.firstMoment, v: &tensor.secondMoment,
                          stepSize: Float(Double(tensor.learningRate) / bc1), beta1: beta1, beta2: beta2,
                          sqrtBC2: Float(bc2.squareRoot()), epsilon: epsilon, threads: threads,
                          zeroGradient: zeroGradient)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
