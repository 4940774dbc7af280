/// Iterated k-core filtering: drop users with fewer than `userCore` and items with fewer than
/// `itemCore` interactions, repeatedly, until nothing changes.
///
/// One pass is not enough: removing a sparse item lowers its users' degrees below the bar. Each
/// round is recorded for the report so "why did my data shrink" has an answer.
enum KCore {
    struct Round: Codable, Sendable, Equatable {
        var round: Int
        var usersRemoved: Int
        var itemsRemoved: Int
        var interactionsRemoved: Int
        enum CodingKeys: String, CodingKey {
            case round
            case usersRemoved = "users_removed"
            case itemsRemoved = "items_removed"
            case interactionsRemoved = "interactions_removed"
        }
    }

    static func filter(_ t: InteractionTable, userCount: Int, itemCount: Int, userCore: Int, itemCore: Int)
        -> (InteractionTable, [Round]) {
        if userCore <= 1 && itemCore <= 1 { return (t, []) }
        var alive = [Bool](repeating: true, count: t.count)
        var userAlive = [Bool](repeating: true, count: userCount)
        var itemAlive = [Bool](repeating: true, count: itemCount)
        var rounds: [Round] = []
        while true {
            var ud = [Int](repeating: 0, count: userCount)
            var id = [Int](repeating: 0, count: itemCount)
            for k in 0..<t.count where alive[k] { ud[Int(t.users[k])] += 1; id[Int(t.items[k])] += 1 }
            var usersRemoved = 0, itemsRemoved = 0
            for u in 0..<userCount where userAlive[u] && ud[u] > 0 && ud[u] < userCore { userAlive[u] = false; usersRemoved += 1 }
            for i in 0..<itemCount where itemAlive[i] && id[i] > 0 && id[i] < itemCore { itemAlive[i] = false; itemsRemoved += 1 }
            if usersRemoved == 0 && itemsRemoved == 0 { break }
            var interactionsRemoved = 0
            for k in 0..<t.count where alive[k] && (!userAlive[Int(t.users[k])] || !itemAlive[Int(t.items[k])]) {
                alive[k] = false
                interactionsRemoved += 1
            }
            rounds.append(Round(round: rounds.count + 1, usersRemoved: usersRemoved, itemsRemoved: itemsRemoved,
                                interactionsRemoved: interactionsRemoved))
        }
        return (t.filtered(alive), rounds)
    }
}
