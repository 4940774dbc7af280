import Core

/// The raw log formats `accf synth` writes — the vendor shapes the ingest stage reads.
public enum SyntheticFormat: String, Sendable, Codable, CaseIterable {
    /// Amazon review JSON lines, 2014/2018 shape (`reviewerID`, `asin`, `overall`, `unixReviewTime`).
    case amazonJSON = "amazon-json"
    /// Yelp academic dataset review JSON lines (`user_id`, `business_id`, `stars`, `date`).
    case yelpJSON = "yelp-json"
    /// A purchase log CSV with a header: `order_id,customer_id,product_id,quantity,rating,order_time`.
    case csv
    /// MovieLens `u.data`: `user<TAB>item<TAB>rating<TAB>timestamp`.
    case movielens
}

/// What `accf synth` generates: sizes, the planted structure, and the noise.
///
/// The structure is what makes the data a fair test: users and items belong to latent clusters,
/// a user mostly picks items of their own cluster (weighted by a Zipf popularity), ratings follow
/// user–item affinity. A graph model can learn the clusters; a popularity ranking cannot.
public struct SyntheticConfig: Codable, Sendable, Equatable {
    public var format: SyntheticFormat = .amazonJSON
    /// Distinct users and items in the latent population (not all need to appear).
    public var users: Int = 1_000
    public var items: Int = 500
    /// Lines to write (interactions, including malformed ones and repeats).
    public var interactions: Int = 20_000
    /// Latent clusters shared by users and items.
    public var clusters: Int = 8
    /// Probability that an interaction is with an item of the user's own cluster.
    public var inClusterProbability: Double = 0.8
    /// Zipf exponent of item popularity (1 ≈ real catalogues).
    public var popularityExponent: Double = 1.0
    /// Zipf exponent of user activity (heavy and light users).
    public var activityExponent: Double = 0.6
    /// Fraction of lines written malformed (for bad-input handling), 0 ≤ f < 1.
    public var malformedFraction: Double = 0
    /// Mean words of review text per JSON line (most bytes of real review logs are text).
    public var reviewWords: Int = 40
    /// First timestamp (Unix seconds) and the span the log covers.
    public var startTime: Int64 = 1_420_070_400
    public var spanSeconds: Int64 = 3 * 365 * 86_400
    public var seed: UInt64 = 1

    enum CodingKeys: String, CodingKey {
        case format, users, items, interactions, clusters, seed
        case inClusterProbability = "in_cluster_probability"
        case popularityExponent = "popularity_exponent"
        case activityExponent = "activity_exponent"
        case malformedFraction = "malformed_fraction"
        case reviewWords = "review_words"
        case startTime = "start_time"
        case spanSeconds = "span_seconds"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SyntheticConfig()
        format = try c.decodeIfPresent(SyntheticFormat.self, forKey: .format) ?? d.format
        users = try c.decodeIfPresent(Int.self, forKey: .users) ?? d.users
        items = try c.decodeIfPresent(Int.self, forKey: .items) ?? d.items
        interactions = try c.decodeIfPresent(Int.self, forKey: .interactions) ?? d.interactions
        clusters = try c.decodeIfPresent(Int.self, forKey: .clusters) ?? d.clusters
        inClusterProbability = try c.decodeIfPresent(Double.self, forKey: .inClusterProbability) ?? d.inClusterProbability
        popularityExponent = try c.decodeIfPresent(Double.self, forKey: .popularityExponent) ?? d.popularityExponent
        activityExponent = try c.decodeIfPresent(Double.self, forKey: .activityExponent) ?? d.activityExponent
        malformedFraction = try c.decodeIfPresent(Double.self, forKey: .malformedFraction) ?? d.malformedFraction
        reviewWords = try c.decodeIfPresent(Int.self, forKey: .reviewWords) ?? d.reviewWords
        startTime = try c.decodeIfPresent(Int64.self, forKey: .startTime) ?? d.startTime
        spanSeconds = try c.decodeIfPresent(Int64.self, forKey: .spanSeconds) ?? d.spanSeconds
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
    }

    /// Checks ranges once; errors name the key.
    public func validate() throws {
        func bad(_ key: String, _ why: String) -> AccfError { .usage("synth: \(key) \(why)") }
        if users < 1 { throw bad("users", "must be at least 1") }
        if items < 1 { throw bad("items", "must be at least 1") }
        if interactions < 0 { throw bad("interactions", "must not be negative") }
        if clusters < 1 || clusters > min(users, items) { throw bad("clusters", "must be between 1 and min(users, items)") }
        if !(0...1).contains(inClusterProbability) { throw bad("in_cluster_probability", "must be in [0, 1]") }
        if !(0..<1).contains(malformedFraction) { throw bad("malformed_fraction", "must be in [0, 1)") }
        if popularityExponent < 0 || activityExponent < 0 { throw bad("popularity_exponent/activity_exponent", "must be ≥ 0") }
        if reviewWords < 0 { throw bad("review_words", "must be ≥ 0") }
        if spanSeconds < 1 { throw bad("span_seconds", "must be ≥ 1") }
    }
}
