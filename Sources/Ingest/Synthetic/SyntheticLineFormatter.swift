import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Core

/// Writes one interaction as a raw log line in a vendor format, or a malformed variant of it.
///
/// Text fields carry what real review logs carry — escaped quotes, `\uXXXX` escapes, raw UTF-8,
/// nested objects — so that the ingest scanner is exercised by the demo data, not only by fixtures.
struct SyntheticLineFormatter {
    let format: SyntheticFormat
    let reviewWords: Int
    private let userSalt: UInt64
    private let itemSalt: UInt64

    private static let words: [String] = [
        "great", "value", "quality", "arrived", "late", "perfect", "broke", "after", "a", "week",
        "would", "buy", "again", "the", "price", "is", "right", "not", "worth", "it", "love", "this",
        "\\\"best\\\"", "caf\\u00e9", "naïve", "größe", "😀", "line\\nbreak", "back\\\\slash",
        "tab\\there", "size", "color", "fits", "small", "recommend", "five", "stars", "meh", "okay",
    ]
    private static let names: [String] = ["J. McDonald", "Amy \\\"A\\\" Lee", "Zoë", "customer", "K.", "Ravi"]
    private static let formats: [String] = [" Paperback", " Hardcover", " Kindle Edition", " Audio CD"]

    init(format: SyntheticFormat, reviewWords: Int, seed: UInt64) {
        self.format = format
        self.reviewWords = reviewWords
        userSalt = seed &* 0x2545_F491_4F6C_DD1D
        itemSalt = seed &* 0x9E37_79B9_7F4A_7C15
    }

    /// The header line, for formats that have one.
    var header: String? {
        format == .csv ? "order_id,customer_id,product_id,product_name,quantity,rating,order_time" : nil
    }

    /// Appends one well-formed line (with its newline).
    func appendLine(user: Int, item: Int, rating: Int, time: Int64, line: Int,
                    rng: inout SeededGenerator, to out: inout [UInt8]) {
        switch format {
        case .amazonJSON: appendAmazon(user: user, item: item, rating: rating, time: time, rng: &rng, to: &out)
        case .yelpJSON: appendYelp(user: user, item: item, rating: rating, time: time, line: line, rng: &rng, to: &out)
        case .csv: appendCSV(user: user, item: item, rating: "\(rating)", time: time, line: line, rng: &rng, to: &out)
        case .movielens: appendMovieLens(user: user, item: item, rating: "\(rating)", time: time, to: &out)
        }
        out.append(10)
    }

    /// Appends one malformed line (with its newline): truncated, a required field missing,
    /// a non-numeric rating or timestamp, or plain garbage. Never an empty line (readers may
    /// skip those silently, which would blur the malformed count).
    func appendMalformedLine(user: Int, item: Int, rating: Int, time: Int64, line: Int,
                             rng: inout SeededGenerator, to out: inout [UInt8]) {
        var good: [UInt8] = []
        appendLine(user: user, item: item, rating: rating, time: time, line: line, rng: &rng, to: &good)
        good.removeLast()
        switch rng.nextInt(below: 4) {
        case 0: // truncated mid-line, as a killed writer leaves it; for delimited formats the cut
                // falls before the last separator, so the line is short of a field rather than
                // silently carrying a shortened timestamp
            var end = good.count / 2
            if format == .csv || format == .movielens {
                let separator = UInt8(ascii: format == .csv ? "," : "\t")
                end = (good.lastIndex(of: separator) ?? good.count) / 2
            }
            out.append(contentsOf: good[0..<max(1, end)])
        case 1: // the item field removed
            out.append(contentsOf: removingItem(good))
        case 2: // rating not a number
            switch format {
            case .csv: appendCSV(user: user, item: item, rating: "x", time: time, line: line, rng: &rng, to: &out)
            case .movielens: appendMovieLens(user: user, item: item, rating: "x", time: time, to: &out)
            default: out.append(contentsOf: badRating(good, rating: rating))
            }
        default:
            out.append(contentsOf: "<html><body>502 Bad Gateway</body></html>".utf8)
        }
        out.append(10)
    }

    private func removingItem(_ good: [UInt8]) -> [UInt8] {
        let text = String(decoding: good, as: UTF8.self)
        switch format {
        case .amazonJSON: return Array(text.replacingFirst("\"asin\": ", with: "\"asim\": ").utf8)
        case .yelpJSON: return Array(text.replacingFirst("\"business_id\":", with: "\"business\":").utf8)
        case .csv, .movielens:
            let sep: Character = format == .csv ? "," : "\t"
            var fields = text.split(separator: sep, omittingEmptySubsequences: false)
            fields.removeSubrange(1..<min(3, fields.count))
            return Array(fields.joined(separator: String(sep)).utf8)
        }
    }

    private func badRating(_ good: [UInt8], rating: Int) -> [UInt8] {
        let text = String(decoding: good, as: UTF8.self)
        switch format {
        case .amazonJSON: return Array(text.replacingFirst("\"overall\": \(rating).0", with: "\"overall\": \"five\"").utf8)
        case .yelpJSON: return Array(text.replacingFirst("\"stars\":\(rating).0", with: "\"stars\":\"n/a\"").utf8)
        case .csv, .movielens: return good
        }
    }

    // MARK: - Formats

    private func appendText(words count: Int, rng: inout SeededGenerator, to out: inout [UInt8]) {
        for k in 0..<count {
            if k > 0 { out.append(32) }
            out.append(contentsOf: Self.words[rng.nextInt(below: Self.words.count)].utf8)
        }
    }

    private func appendAmazon(user: Int, item: Int, rating: Int, time: Int64, rng: inout SeededGenerator, to out: inout [UInt8]) {
        let verified = rng.nextInt(below: 5) != 0
        out.append(contentsOf: "{\"overall\": \(rating).0, \"verified\": \(verified), \"reviewTime\": \"".utf8)
        out.append(contentsOf: Self.calendarDate(time, american: true).utf8)
        out.append(contentsOf: "\", \"reviewerID\": \"".utf8)
        SyntheticIdentifiers.appendAmazonReviewer(user, salt: userSalt, to: &out)
        out.append(contentsOf: "\", \"asin\": \"".utf8)
        SyntheticIdentifiers.appendASIN(item, to: &out)
        out.append(contentsOf: "\", \"style\": {\"Format:\": \"".utf8)
        out.append(contentsOf: Self.formats[item % Self.formats.count].utf8)
        out.append(contentsOf: "\"}, \"reviewerName\": \"".utf8)
        out.append(contentsOf: Self.names[user % Self.names.count].utf8)
        out.append(contentsOf: "\", \"reviewText\": \"".utf8)
        appendText(words: wordCount(&rng), rng: &rng, to: &out)
        out.append(contentsOf: "\", \"summary\": \"".utf8)
        appendText(words: 3, rng: &rng, to: &out)
        out.append(contentsOf: "\", \"unixReviewTime\": \(time)}".utf8)
    }

    private func appendYelp(user: Int, item: Int, rating: Int, time: Int64, line: Int, rng: inout SeededGenerator, to out: inout [UInt8]) {
        out.append(contentsOf: "{\"review_id\":\"".utf8)
        SyntheticIdentifiers.appendYelp(line, salt: 0x5EED, to: &out)
        out.append(contentsOf: "\",\"user_id\":\"".utf8)
        SyntheticIdentifiers.appendYelp(user, salt: userSalt, to: &out)
        out.append(contentsOf: "\",\"business_id\":\"".utf8)
        SyntheticIdentifiers.appendYelp(item, salt: itemSalt, to: &out)
        out.append(contentsOf: "\",\"stars\":\(rating).0,\"useful\":\(rng.nextInt(below: 4)),\"funny\":0,\"cool\":\(rng.nextInt(below: 2)),\"text\":\"".utf8)
        appendText(words: wordCount(&rng), rng: &rng, to: &out)
        out.append(contentsOf: "\",\"date\":\"".utf8)
        out.append(contentsOf: Self.calendarDate(time, american: false).utf8)
        out.append(contentsOf: "\"}".utf8)
    }

    private func appendCSV(user: Int, item: Int, rating: String, time: Int64, line: Int, rng: inout SeededGenerator, to out: inout [UInt8]) {
        let quantity = 1 + rng.nextInt(below: 3)
        out.append(contentsOf: "\(100_000 + line),C\(1_000_000 + user),SKU-\(100_000 + item),".utf8)
        // Product names contain commas and quotes, so the CSV reader must honour RFC 4180 quoting.
        out.append(contentsOf: "\"Item \(item), \"\"size \(item % 5)\"\"\",\(quantity),\(rating),".utf8)
        out.append(contentsOf: Self.calendarDate(time, american: false).utf8)
    }

    private func appendMovieLens(user: Int, item: Int, rating: String, time: Int64, to out: inout [UInt8]) {
        out.append(contentsOf: "\(user + 1)\t\(item + 1)\t\(rating)\t\(time)".utf8)
    }

    private func wordCount(_ rng: inout SeededGenerator) -> Int {
        reviewWords == 0 ? 0 : 1 + rng.nextInt(below: 2 * reviewWords)
    }

    /// "MM DD, YYYY" (Amazon's reviewTime) or "YYYY-MM-DD HH:MM:SS" (Yelp, CSV), UTC.
    static func calendarDate(_ time: Int64, american: Bool) -> String {
        var t = time_t(time)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        if american { return "\(pad(parts.tm_mon + 1)) \(parts.tm_mday), \(parts.tm_year + 1900)" }
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday)) "
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))"
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = range(of: target) else { return self }
        return replacingCharacters(in: r, with: replacement)
    }
}
