import XCTest
import Core
import Ingest
@testable import Graph

/// The published yelp2018 train split (LightGCN format) from ../shared/data, when present.
final class GraphRealDataTests: XCTestCase {
    private static let dataDirectory: String = {
        // Tests/GraphTests/<file> → package root → ../shared/data
        let root = FilePath.directory(of: FilePath.directory(of: FilePath.directory(of: #filePath)))
        return FilePath.join(root, "../shared/data/lightgcn-yelp2018")
    }()

    /// Parses `user item item ...` lines of the zstd-compressed train file.
    private func yelpTrain() throws -> InteractionColumns {
        let path = FilePath.join(Self.dataDirectory, "train.txt.zst")
        guard FilePath.exists(path) else {
            throw XCTSkip("real data absent: \(path) (the shared data directory is not mounted here)")
        }
        let raw = try FilePath.readAll(path)
        // The frame declares its size (zstd frame header: descriptor byte 4, size field last).
        let descriptor = raw[4]
        let sizeBytes = [descriptor & 0x20 != 0 ? 1 : 0, 2, 4, 8][Int(descriptor >> 6)]
        let offset = 5 + (descriptor & 0x20 != 0 ? 0 : 1) + [0, 1, 2, 4][Int(descriptor & 3)]
        var size = 0
        for k in (0..<sizeBytes).reversed() { size = size << 8 | Int(raw[offset + k]) }
        let text = try raw.withUnsafeBytes { try Zstd.decompress($0, expectedSize: size, file: path) }
        var users: [UInt32] = [], items: [UInt32] = []
        var field = 0, value: UInt32 = 0, user: UInt32 = 0, inNumber = false
        for byte in text + [UInt8(ascii: "\n")] {  // a final newline flushes the last number
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                value = value * 10 + UInt32(byte - UInt8(ascii: "0"))
                inNumber = true
                continue
            }
            if inNumber {
                if field == 0 { user = value } else { users.append(user); items.append(value) }
                field += 1
            }
            value = 0
            inNumber = false
            if byte == UInt8(ascii: "\n") { field = 0 }
        }
        return InteractionColumns(users: users, items: items)
    }

    func testYelp2018TrainGraph() throws {
        let train = try yelpTrain()
        let g = try GraphBuilder.build(userCount: 31_668, itemCount: 38_048, train: train)
        // The counts PROVENANCE.md states.
        XCTAssertEqual(train.count, 1_237_259)
        XCTAssertEqual(g.nodeCount, 69_716)
        XCTAssertEqual(g.nonzeroCount, 2_474_518)
        XCTAssertEqual(g.userDegrees.isolated, 0, "every user has train items")

        // Degrees against a direct count.
        var itemDegree = [Int](repeating: 0, count: 38_048)
        for i in train.items { itemDegree[Int(i)] += 1 }
        XCTAssertEqual(g.itemDegrees.max, itemDegree.max())
        XCTAssertEqual(g.itemDegrees.isolated, itemDegree.filter { $0 == 0 }.count)

        // Sampled rows: symmetry and the product against a Double reference.
        var rng = SeededGenerator(seed: 2018)
        let dim = 8  // the kernels' width paths are covered elsewhere; keep the debug run short
        let x = (0..<g.nodeCount * dim).map { _ in rng.nextUnitFloat() * 2 - 1 }
        var y1: [Float] = [], y2: [Float] = []
        Propagation.multiply(g, x, dim: dim, into: &y1, threads: 1)
        Propagation.multiply(g, x, dim: dim, into: &y2, threads: 2)
        XCTAssertTrue(TestGraphs.sameBytes(y1, y2), "1 and 2 threads give identical bytes")
        for _ in 0..<200 {
            let r = rng.nextInt(below: g.nodeCount)
            var reference = [Double](repeating: 0, count: dim)
            for k in g.rowPointers[r]..<g.rowPointers[r + 1] {
                let c = Int(g.columns[k])
                let expected = 1 / (Double(g.degree(of: r)) * Double(g.degree(of: c))).squareRoot()
                XCTAssertEqual(Double(g.values[k]), expected, accuracy: 1e-7)
                let back = g.rowPointers[c]..<g.rowPointers[c + 1]
                XCTAssertTrue(back.contains { Int(g.columns[$0]) == r && g.values[$0] == g.values[k] }, "Â symmetric at (\(r), \(c))")
                for j in 0..<dim { reference[j] += Double(g.values[k]) * Double(x[c * dim + j]) }
            }
            let ours = Array(y1[r * dim..<(r + 1) * dim])
            XCTAssertLessThanOrEqual(TestGraphs.relativeError(ours, reference), 1e-5, "row \(r)")
        }
    }
}
