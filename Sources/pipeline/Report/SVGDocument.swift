import Foundation

/// A minimal SVG writer for the study reports: elements, escaping, and axis ticks.
///
/// Why our own: the charts are simple (lines, bars, a heat map), Python is not allowed at run
/// time, and no package on the offline list draws SVG. Output is plain SVG 1.1 that browsers,
/// code forges and `rsvg-convert` render; numbers are written with fixed precision so the same
/// data gives the same bytes.
struct SVGDocument {
    let width: Double
    let height: Double
    private(set) var body: [String] = []

    /// The colour of series k (a colour-blind-safe palette, cycled).
    static func colour(_ k: Int) -> String {
        let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
        return palette[k % palette.count]
    }

    /// XML text escaping for attribute values and text nodes.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A number with at most 2 decimals, no trailing zeros: stable bytes, small files.
    static func number(_ v: Double) -> String {
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    mutating func add(_ element: String) { body.append(element) }

    mutating func text(_ s: String, x: Double, y: Double, size: Double = 12, anchor: String = "middle", rotate: Bool = false) {
        let transform = rotate ? " transform=\"rotate(-90 \(Self.number(x)) \(Self.number(y)))\"" : ""
        add("<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" text-anchor=\"\(anchor)\"\(transform)>\(Self.escape(s))</text>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String = "#888") {
        add("<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" stroke=\"\(stroke)\"/>")
    }

    /// The finished document.
    var rendered: String {
        let header = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
            + "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" font-family=\"sans-serif\">"
        return ([header, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"] + body + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    /// About `count` round tick values covering [low, high] (1, 2 or 5 × 10ⁿ steps).
    static func ticks(low: Double, high: Double, count: Int = 5) -> [Double] {
        guard high > low, low.isFinite, high.isFinite else { return [low] }
        let raw = (high - low) / Double(max(1, count))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var v = (low / step).rounded(.up) * step
        var out: [Double] = []
        while v <= high + step * 1e-9 { out.append(v); v += step }
        return out
    }
}
