import Core

/// Where a run stands, beyond the parameters: everything the loop needs to continue bit-for-bit.
struct TrainingProgress: Equatable {
    /// Current epoch (0-based) and the next batch to run inside it; `batchPosition` equal to the
    /// epoch's batch count means "steps done, epoch end (evaluation) pending".
    var epoch = 0
    var batchPosition = 0
    var globalStep = 0
    var samplerRNG: SeededGenerator
    var modelRNG: SeededGenerator
    var validationRNG: SeededGenerator
    /// Best validation metric so far (−inf before the first evaluation) and its epoch (1-based count).
    var bestMetric = -Double.infinity
    var bestEpoch = 0
    /// Evaluations in a row without a gain (the early-stopping counter).
    var badEvaluations = 0
    /// Training finished (stopped early or reached max_epochs); only the final outputs remain.
    var finished = false
    /// Loss sums of the current epoch so far, and the number of batches in them.
    var lossSums: [String: Double] = [:]
    var lossBatches = 0
}

/// A tensor's values and Adam state as stored in a checkpoint.
struct TensorState: Equatable {
    var name: String
    var rows: Int
    var columns: Int
    var step: Int
    var learningRate: Float
    var value: [Float]
    var firstMoment: [Float]
    var secondMoment: [Float]
}

/// The checkpoint file: `ChecksummedFile` envelope, magic "ACCFCKPT", version 1.
///
/// Holds the identity of what it belongs to (model name, config trajectory hash, graph and
/// dataset hashes) so a checkpoint of another run is refused rather than silently continued.
struct Checkpoint: Equatable {
    static let magic = "ACCFCKPT"
    static let version: UInt32 = 1

    var modelName: String
    var configHash: UInt64
    var graphHash: UInt64
    var datasetHash: UInt64
    var progress: TrainingProgress
    var tensors: [TensorState]
    var modelState: [UInt8]

    func encode() -> [UInt8] {
        var w = ByteWriter(capacity: 1024 + tensors.reduce(0) { $0 + 12 * $1.value.count })
        w.append(string: modelName)
        w.append(configHash); w.append(graphHash); w.append(datasetHash)
        let p = progress
        w.append(Int64(p.epoch)); w.append(Int64(p.batchPosition)); w.append(Int64(p.globalStep))
        w.append(p.samplerRNG.state); w.append(p.modelRNG.state); w.append(p.validationRNG.state)
        w.append(p.bestMetric); w.append(Int64(p.bestEpoch)); w.append(Int64(p.badEvaluations))
        w.append(UInt8(p.finished ? 1 : 0))
        w.append(UInt32(p.lossSums.count))
        for k in p.lossSums.keys.sorted() { w.append(string: k); w.append(p.lossSums[k]!) }
        w.append(Int64(p.lossBatches))
        w.append(UInt32(tensors.count))
        for t in tensors {
            w.append(string: t.name)
            w.append(UInt64(t.rows)); w.append(UInt64(t.columns)); w.append(Int64(t.step)); w.append(t.learningRate)
            w.append(contentsOf: t.value); w.append(contentsOf: t.firstMoment); w.append(contentsOf: t.secondMoment)
        }
        w.append(UInt64(modelState.count))
        w.append(bytes: modelState)
        return w.bytes
    }

    func write(to path: String) throws {
        try ChecksummedFile.write(path: path, magic: Self.magic, version: Self.version, payload: encode())
    }

    static func read(path: String) throws -> Checkpoint {
        let bytes = try FilePath.readAll(path)
        return try bytes.withUnsafeBytes { raw in
            let body = try ChecksummedFile.payload(of: raw, path: path, magic: magic, what: "checkpoint", supportedVersion: version)
            var r = ByteReader(body, file: path)
            let name = try r.readString("model name", maxLength: 256)
            let configHash = try r.read(UInt64.self), graphHash = try r.read(UInt64.self), datasetHash = try r.read(UInt64.self)
            func int() throws -> Int { Int(try r.read(Int64.self)) }
            let epoch = try int(), position = try int(), step = try int()
            var p = TrainingProgress(samplerRNG: SeededGenerator(seed: 0), modelRNG: SeededGenerator(seed: 0), validationRNG: SeededGenerator(seed: 0))
            p.epoch = epoch; p.batchPosition = position; p.globalStep = step
            p.samplerRNG.state = try r.read(UInt64.self); p.modelRNG.state = try r.read(UInt64.self); p.validationRNG.state = try r.read(UInt64.self)
            p.bestMetric = try r.readDouble(); p.bestEpoch = try int(); p.badEvaluations = try int()
            p.finished = try r.read(UInt8.self) != 0
            for _ in 0..<Int(try r.read(UInt32.self)) {
                let k = try r.readString("loss name", maxLength: 256)
                p.lossSums[k] = try r.readDouble()
            }
            p.lossBatches = try int()
            var tensors: [TensorState] = []
            let count = Int(try r.read(UInt32.self))
            guard count < 1024 else { throw AccfError.corrupt(path, "implausible tensor count \(count)") }
            for _ in 0..<count {
                let tname = try r.readString("tensor name", maxLength: 256)
                let rows = Int(try r.read(UInt64.self)), cols = Int(try r.read(UInt64.self))
                guard rows < 1 << 34, cols < 1 << 20 else { throw AccfError.corrupt(path, "implausible tensor \(tname) \(rows)×\(cols)") }
                let tstep = try int()
                let lr = try r.readFloat()
                let v = try r.readFloats(count: rows * cols, "\(tname) values")
                let m = try r.readFloats(count: rows * cols, "\(tname) first moment")
                let s = try r.readFloats(count: rows * cols, "\(tname) second moment")
                tensors.append(TensorState(name: tname, rows: rows, columns: cols, step: tstep, learningRate: lr, value: v, firstMoment: m, secondMoment: s))
            }
            let stateCount = Int(try r.read(UInt64.self))
            let state = Array(try r.readBytes(stateCount, "model state"))
            if r.remaining != 0 { throw AccfError.corrupt(path, "\(r.remaining) unexpected bytes at the end") }
            return Checkpoint(modelName: name, configHash: configHash, graphHash: graphHash, datasetHash: datasetHash,
                              progress: p, tensors: tensors, modelState: state)
        }
    }
}
