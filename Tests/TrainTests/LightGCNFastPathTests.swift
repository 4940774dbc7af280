import XCTest
import Core
import Graph
import Ingest
@testable import Train

/// LightGCN's training step propagates only what BPR needs (the batch's rows forward, the
/// batch-sparse gradient backward); it must move the parameters exactly as the full step does.
final class LightGCNFastPathTests: XCTestCase {
    /// The step as it was written before the fast paths: full layer means both ways.
    static func referenceStep(_ table: ParameterTensor, graph: NormalizedGraph, batch: TripletBatch, userCount: Int,
                              dim: Int, layers: Int, reg: Float, adam: Adam) -> Double {
        var propagated: [Float] = [], upstream = [Float](repeating: 0, count: table.value.count), backward: [Float] = []
        Propagation.layerMean(graph, table.value, dim: dim, layers: layers, into: &propagated, threads: 1)
        let bpr = BPRLoss.lossAndGradient(embeddings: propagated, dim: dim, userCount: userCount, batch: batch, gradient: &upstream)
        Propagation.layerMean(graph, upstream, dim: dim, layers: layers, into: &backward, threads: 1)
        table.gradient = backward
        _ = BPRLoss.l2(initial: table.value, dim: dim, userCount: userCount, batch: batch, lambda: reg, gradient: &table.gradient)
        adam.update(table, threads: 1)
        return bpr
    }

    func testFastStepMovesParametersExactlyAsTheFullStep() throws {
        let users = 300, items = 240
        let data = TestData.planted(users: users, items: items, perUser: 12, seed: 5)
        for (layers, threads) in [(3, 2), (2, 1), (1, 2)] {
            var config = TrainConfig()
            config.model = "lightgcn"
            config.dim = 64
            config.layers = layers
            config.threads = threads
            config.batchSize = 128
            let context = ModelContext(config: config, userCount: users, itemCount: items, graph: data.graph, train: data.train,
                                       initRNG: SeededGenerator(seed: 9))
            let model = try LightGCN(context: context)
            let reference = ParameterTensor(name: "ref", rows: model.table.rows, columns: model.table.columns,
                                            value: model.table.value, learningRate: model.table.learningRate)
            let step = StepContext(config: config, graph: data.graph, validation: nil)
            let sampler = TripletSampler(interactions: data.train, userCount: users, itemCount: items)
            let order = sampler.epochOrder(seed: 1, epoch: 0)
            var rng = SeededGenerator(seed: 2)
            for b in 0..<4 {
                let batch = sampler.batch(order: order, index: b, batchSize: config.batchSize, rng: &rng)
                let fast = try model.trainStep(batch, context: step)
                let full = Self.referenceStep(reference, graph: data.graph, batch: batch, userCount: users, dim: 64,
                                              layers: layers, reg: Float(config.reg), adam: step.adam)
                XCTAssertEqual(fast["bpr"], full, "layers \(layers) step \(b)")
                XCTAssertTrue(model.table.value.withUnsafeBytes { a in reference.value.withUnsafeBytes { a.elementsEqual($0) } },
                              "layers \(layers) threads \(threads): parameters differ after step \(b)")
                XCTAssertTrue(model.table.secondMoment.withUnsafeBytes { a in reference.secondMoment.withUnsafeBytes { a.elementsEqual($0) } },
                              "layers \(layers): Adam state differs after step \(b)")
            }
        }
    }
}
