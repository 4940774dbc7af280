/// A line chart: training curves (valid NDCG@20 per epoch) and noise-robustness decline.
struct LineChart {
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
        /// Palette index; nil: the series' position. A study passes the model's position in
        /// `study.models`, so a model has the same colour in every chart of a report.
        var colour: Int? = nil
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]

    /// The chart as SVG; non-finite points are left out (a gap, never a wrong line).
    func svg(width: Double = 640, height: Double = 400) -> String {
        var doc = SVGDocument(width: width, height: height)
        let left = 64.0, right = width - 150, top = 40.0, bottom = height - 50
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = finite.map(\.x), ys = finite.map(\.y)
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1)
        var (y0, y1) = (min(0, ys.min() ?? 0), ys.max() ?? 1)
        if x1 <= x0 { x1 = x0 + 1 }
        if y1 <= y0 { y1 = y0 + 1 }
        let xTicks = SVGDocument.ticks(low: x0, high: x1), yTicks = SVGDocument.ticks(low: y0, high: y1)
        x0 = min(x0, xTicks.first ?? x0); y1 = max(y1, yTicks.last ?? y1)
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - y0) / (y1 - y0) * (bottom - top) }

        doc.text(title, x: width / 2, y: 22, size: 15)
        doc.line(x1: left, y1: bottom, x2: right, y2: bottom)
        doc.line(x1: left, y1: top, x2: left, y2: bottom)
        for t in xTicks where t >= x0 && t <= x1 {
            doc.line(x1: px(t), y1: bottom, x2: px(t), y2: bottom + 4)
            doc.text(SVGDocument.number(t), x: px(t), y: bottom + 17, size: 11)
        }
        for t in yTicks where t >= y0 && t <= y1 {
            doc.line(x1: left, y1: py(t), x2: right, y2: py(t), stroke: "#eee")
            doc.text(SVGDocument.number(t), x: left - 6, y: py(t) + 4, size: 11, anchor: "end")
        }
        doc.text(xLabel, x: (left + right) / 2, y: height - 12)
        doc.text(yLabel, x: 16, y: (top + bottom) / 2, rotate: true)
        for (k, s) in series.enumerated() {
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            let coordinates = pts.map { "\(SVGDocument.number(px($0.x))),\(SVGDocument.number(py($0.y)))" }.joined(separator: " ")
            doc.add("<polyline class=\"series\" data-name=\"\(SVGDocument.escape(s.name))\" fill=\"none\" stroke=\"\(SVGDocument.colour(s.colour ?? k))\" stroke-width=\"2\" points=\"\(coordinates)\"/>")
            let ly = top + 18 * Double(k)
            doc.line(x1: right + 12, y1: ly, x2: right + 32, y2: ly, stroke: SVGDocument.colour(s.colour ?? k))
            doc.text(s.name, x: right + 38, y: ly + 4, size: 12, anchor: "start")
        }
        return doc.rendered
    }
}
