import XCTest
import Core
@testable import Ingest

/// `id_order = "locality"`: the same dataset as `"external"` in external ids, renumbered so that
/// neighbours in the train graph sit close together.
final class LocalityOrderTests: XCTestCase {
    /// Every interaction as "user item split" in external ids, sorted.
    private func content(_ ds: IngestedDataset) throws -> [String] {
        let users = try ds.userIds(), items = try ds.itemIds()
        var out: [String] = []
        for split in Split.allCases {
            let rows = try ds.interactions(split)
            for k in 0..<rows.count { out.append("\(users[Int(rows.users[k])]) \(items[Int(rows.items[k])]) \(split)") }
        }
        return out.sorted()
    }

    /// A log of 40 users over 30 items in four blocks (a user only rates items of its block), ids
    /// interleaved so that the external order scatters every block.
    private func blockLog() -> String {
        var lines = ["user_id,item_id,timestamp"]
        for u in 0..<40 {
            let block = u % 4
            for j in 0..<6 { lines.append("u\(u),i\(block + 4 * ((j + u / 4) % 7)),\(1_000 + u * 10 + j)") }
            lines.append("u\(u),i\(28 + u % 2),\(2_000 + u)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func ingest(_ log: String, order: IdOrder, name: String = #function) throws -> IngestedDataset {
        let path = FilePath.join(Fixtures.scratch(name), "log.csv")
        Fixtures.write(log, to: path)
        var c = IngestConfig()
        c.format = .csv
        c.inputs = [path]
        c.timestampColumn = .name("timestamp")
        c.idOrder = order
        return try Fixtures.ingest(c, name: name + "\(order)").1
    }

    func testSameSplitInExternalIdsAndIdsArePermutations() throws {
        let log = blockLog()
        let external = try ingest(log, order: .external), locality = try ingest(log, order: .locality)
        XCTAssertEqual(try content(external), try content(locality))
        XCTAssertEqual(Set(try external.userIds()), Set(try locality.userIds()))
        XCTAssertEqual(Set(try external.itemIds()), Set(try locality.itemIds()))
        XCTAssertNotEqual(try external.userIds(), try locality.userIds(), "the fixture is built so that the orders differ")
        // Line order does not matter: the locality order is a function of the interactions.
        let lines = log.split(separator: "\n").map(String.init)
        let shuffled = ([lines[0]] + lines.dropFirst().reversed()).joined(separator: "\n") + "\n"
        let again = try ingest(shuffled, order: .locality)
        XCTAssertEqual(try again.userIds(), try locality.userIds())
        XCTAssertEqual(try again.itemIds(), try locality.itemIds())
    }

    /// A chain u0–i0–u1–i1–…, given with scrambled ids: Cuthill–McKee walks it from an end, so
    /// consecutive users get consecutive ids and each item lands between its two users.
    func testChainIsNumberedAlongTheChain() throws {
        let n = 12
        let scramble = { (k: Int) in (k * 7) % n }  // 7 is coprime to 12: a permutation
        var t = InteractionTable()
        for k in 0..<n {
            for u in [k, k + 1] where u < n {
                t.users.append(UInt32(scramble(u))); t.items.append(UInt32(scramble(k)))
                t.ratings.append(.nan); t.timestamps.append(0); t.splits.append(0)
            }
        }
        let (users, items) = LocalityOrder.permutations(t, userCount: n, itemCount: n)
        XCTAssertEqual(Set(users), Set((0..<n).map(UInt32.init)))
        XCTAssertEqual(Set(items), Set((0..<n).map(UInt32.init)))
        let chainUsers = (0..<n).map { Int(users[scramble($0)]) }
        let steps = zip(chainUsers, chainUsers.dropFirst()).map { $1 - $0 }
        XCTAssertTrue(steps.allSatisfy { $0 == 1 } || steps.allSatisfy { $0 == -1 }, "users along the chain: \(chainUsers)")
        for k in 0..<(n - 1) {
            let item = Int(items[scramble(k)])
            XCTAssertTrue([chainUsers[k], chainUsers[k + 1]].contains(item), "item \(k) → \(item), users \(chainUsers[k]), \(chainUsers[k + 1])")
        }
    }

    /// Only train edges shape the order; users and items with no train interaction come last.
    func testNodesWithoutTrainEdgesComeLast() {
        var t = InteractionTable()
        for (u, i, split) in [(2, 1, 0), (0, 1, 0), (1, 0, 2), (2, 2, 1)] as [(UInt32, UInt32, UInt8)] {
            t.users.append(u); t.items.append(i); t.ratings.append(.nan); t.timestamps.append(0); t.splits.append(split)
        }
        let (users, items) = LocalityOrder.permutations(t, userCount: 3, itemCount: 3)
        XCTAssertEqual(users[1], 2, "user 1 has only a test interaction")
        XCTAssertEqual(Set(items[0...0] + items[2...2]), [1, 2], "items 0 and 2 have no train interaction")
        XCTAssertEqual(items[1], 0)
    }
}
