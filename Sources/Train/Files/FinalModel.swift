import Core

/// The trained model as export consumes it: the final (propagated) embeddings, so that a plain
/// dot product is the score, plus what produced them.
///
/// Why propagated embeddings and not E⁽⁰⁾: export and serving must not need the graph or the
/// model code. File: `ChecksummedFile` envelope, magic "ACCFMODL", version 1; payload
/// (little-endian): model name, dim, user count, item count, dataset hash, graph hash,
/// hyperparameters and test metrics (sorted by key), then user and item embeddings (Float32).
public struct FinalModel: Sendable, Equatable {
    public static let magic = "ACCFMODL"
    public static let version: UInt32 = 1

    public var modelName: String
    public var dim: Int
    /// Row-major userCount × dim.
    public var userEmbeddings: [Float]
    /// Row-major itemCount × dim.
    public var itemEmbeddings: [Float]
    public var hyperparameters: [String: String]
    public var testMetrics: [String: Double]
    public var datasetHash: UInt64
    public var graphHash: UInt64

    public init(modelName: String, dim: Int, userEmbeddings: [Float], itemEmbeddings: [Float],
                hyperparameters: [String: String] = [:], testMetrics: [String: Double] = [:],
                datasetHash: UInt64 = 0, graphHash: UInt64 = 0) {
        self.modelName = modelName
        self.dim = dim
        self.userEmbeddings = userEmbeddings
        self.itemEmbeddings = itemEmbeddings
        self.hyperparameters = hyperparameters
        self.testMetrics = testMetrics
        self.datasetHash = datasetHash
        self.graphHash = graphHash
    }

    public var userCount: Int { dim > 0 ? userEmbeddings.count / dim : 0 }
    public var itemCount: Int { dim > 0 ? itemEmbeddings.count / dim : 0 }

    /// The payload bytes (deterministic: dictionaries are written in key order).
    func payload() -> [UInt8] {
        var w = ByteWriter(capacity: 256 + 4 * (userEmbeddings.count + itemEmbeddings.count))
        w.append(string: modelName)
        w.append(UInt32(dim))
        w.append(UInt64(userCount))
        w.append(UInt64(itemCount))
        w.append(datasetHash)
        w.append(graphHash)
        w.append(UInt32(hyperparameters.count))
        for key in hyperparameters.keys.sorted() {
            w.append(string: key)
            w.append(string: hyperparameters[key]!)
        }
        w.append(UInt32(testMetrics.count))
        for key in testMetrics.keys.sorted() {
            w.append(string: key)
            w.append(testMetrics[key]!)
        }
        w.append(contentsOf: userEmbeddings)
        w.append(contentsOf: itemEmbeddings)
        return w.bytes
    }

    /// XXH64 of the payload: identifies the model (export records it).
    public var contentHash: UInt64 { XXHash64.hash(payload()) }

    /// Writes atomically (temporary file, fsync, rename).
    public func write(to path: String) throws {
        precondition(dim > 0 && userEmbeddings.count % dim == 0 && itemEmbeddings.count % dim == 0,
                     "embedding sizes must be multiples of dim")
        try ChecksummedFile.write(path: path, magic: Self.magic, version: Self.version, payload: payload())
    }

    /// Reads and verifies a model file; errors name the file and what to do.
    public static func read(path: String) throws -> FinalModel {
        guard FilePath.exists(path) else {
            throw AccfError.missingInput(path, hint: "run `accf train` first to produce the model file")
        }
        let bytes = try FilePath.readAll(path)
        return try bytes.withUnsafeBytes { raw in
            let body = try ChecksummedFile.payload(of: raw, path: path, magic: magic, what: "model", supportedVersion: version)
            var r = ByteReader(body, file: path)
            let name = try r.readString("model name", maxLength: 256)
            let dim = Int(try r.read(UInt32.self, "dim"))
            let users = try r.read(UInt64.self, "user count")
            let items = try r.read(UInt64.self, "item count")
            let datasetHash = try r.read(UInt64.self, "dataset hash")
            let graphHash = try r.read(UInt64.self, "graph hash")
            guard dim > 0, users < 1 << 40, items < 1 << 40 else {
                throw AccfError.corrupt(path, "implausible sizes (dim \(dim), \(users) users, \(items) items)")
            }
            var hyper: [String: String] = [:]
            for _ in 0..<Int(try r.read(UInt32.self, "hyperparameter count")) {
                let k = try r.readString("hyperparameter key", maxLength: 4096)
                hyper[k] = try r.readString("hyperparameter value", maxLength: 1 << 16)
            }
            var metrics: [String: Double] = [:]
            for _ in 0..<Int(try r.read(UInt32.self, "metric count")) {
                let k = try r.readString("metric name", maxLength: 4096)
                metrics[k] = try r.readDouble("metric value")
            }
            let u = try r.readFloats(count: Int(users) * dim, "user embeddings")
            let i = try r.readFloats(count: Int(items) * dim, "item embeddings")
            if r.remaining != 0 { throw AccfError.corrupt(path, "\(r.remaining) unexpected bytes after the item embeddings") }
            return FinalModel(modelName: name, dim: dim, userEmbeddings: u, itemEmbeddings: i, hyperparameters: hyper,
                              testMetrics: metrics, datasetHash: datasetHash, graphHash: graphHash)
        }
    }
}
