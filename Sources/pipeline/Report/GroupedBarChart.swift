/// Grouped bars: the ablation (one group per metric, one bar per variant).
struct GroupedBarChart {
    var title: String
    var yLabel: String
    /// Group labels along the x axis.
    var groups: [String]
    /// One value per group for each series; non-finite values draw no bar.
    var series: [(name: String, values: [Double])]

    func svg(width: Double = 640, height: Double = 400) -> String {
        var doc = SVGDocument(width: width, height: height)
        let left = 64.0, right = width - 150, top = 40.0, bottom = height - 50
        let all = series.flatMap(\.values).filter(\.isFinite)
        let yTicks = SVGDocument.ticks(low: 0, high: max(all.max() ?? 1, 1e-9))
        let y1 = max(all.max() ?? 1, yTicks.last ?? 1, 1e-9)
        func py(_ y: Double) -> Double { bottom - y / y1 * (bottom - top) }
        doc.text(title, x: width / 2, y: 22, size: 15)
        doc.line(x1: left, y1: bottom, x2: right, y2: bottom)
        doc.line(x1: left, y1: top, x2: left, y2: bottom)
        for t in yTicks {
            doc.line(x1: left, y1: py(t), x2: right, y2: py(t), stroke: "#eee")
            doc.text(SVGDocument.number(t), x: left - 6, y: py(t) + 4, size: 11, anchor: "end")
        }
        doc.text(yLabel, x: 16, y: (top + bottom) / 2, rotate: true)
        let groupWidth = (right - left) / Double(max(1, groups.count))
        let barWidth = groupWidth * 0.8 / Double(max(1, series.count))
        for (g, label) in groups.enumerated() {
            let gx = left + groupWidth * Double(g) + groupWidth * 0.1
            doc.text(label, x: gx + groupWidth * 0.4, y: bottom + 17, size: 11)
            for (k, s) in series.enumerated() where g < s.values.count && s.values[g].isFinite {
                let v = max(0, s.values[g])
                doc.add("<rect class=\"bar\" data-series=\"\(SVGDocument.escape(s.name))\" x=\"\(SVGDocument.number(gx + barWidth * Double(k)))\" "
                        + "y=\"\(SVGDocument.number(py(v)))\" width=\"\(SVGDocument.number(barWidth))\" "
                        + "height=\"\(SVGDocument.number(bottom - py(v)))\" fill=\"\(SVGDocument.colour(k))\"><title>\(SVGDocument.escape("\(s.name) \(label): \(v)"))</title></rect>")
            }
        }
        for (k, s) in series.enumerated() {
            let ly = top + 18 * Double(k)
            doc.add("<rect x=\"\(SVGDocument.number(right + 12))\" y=\"\(SVGDocument.number(ly - 6))\" width=\"12\" height=\"12\" fill=\"\(SVGDocument.colour(k))\"/>")
            doc.text(s.name, x: right + 30, y: ly + 4, size: 12, anchor: "start")
        }
        return doc.rendered
    }
}
