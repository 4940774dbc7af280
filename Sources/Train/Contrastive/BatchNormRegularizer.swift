/// SELFRec's `l2_reg_loss` as SimGCL and XSimGCL use it: reg · Σ_blocks ‖X_block‖_F / rows, where
/// each block is the batch's matrix of propagated rows (users, positive items) — a norm, not a
/// squared norm, and on the propagated embeddings, not the initial ones.
///
/// Why reproduce it exactly rather than use LightGCN's squared L2: the published SimGCL/XSimGCL
/// numbers were landed with this term, and its gradient (reg·X/‖X‖_F/rows) has a constant size
/// whatever the embedding scale, which is a different regularizer from the squared one.
public enum BatchNormRegularizer {
    /// Returns reg·‖X‖_F/|rows| for X = the rows `rows` of `embeddings` (duplicates included, as
    /// indexing a tensor with repeated indices does) and adds its gradient into `gradient`.
    @discardableResult
    public static func lossAndGradient(embeddings: [Float], dim: Int, rows: [Int], reg: Float,
                                       gradient: inout [Float]) -> Float {
        guard !rows.isEmpty, reg != 0 else { return 0 }
        var sq: Double = 0
        for r in rows { for c in 0..<dim { let x = Double(embeddings[r * dim + c]); sq += x * x } }
        let norm = sq.squareRoot()
        guard norm > 0 else { return 0 }
        let scale = Float(Double(reg) / (norm * Double(rows.count)))
        for r in rows { for c in 0..<dim { gradient[r * dim + c] += scale * embeddings[r * dim + c] } }
        return Float(Double(reg) * norm / Double(rows.count))
    }
}
