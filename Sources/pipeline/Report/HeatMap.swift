/// A heat map: sensitivity of NDCG@20 over a grid of two hyperparameters (e.g. ε × λ_cl).
struct HeatMap {
    var title: String
    var rowLabel: String
    var columnLabel: String
    var rows: [String]
    var columns: [String]
    /// values[r][c]; a non-finite value is drawn grey (not run).
    var values: [[Double]]

    func svg(cell: Double = 64) -> String {
        let left = 90.0, top = 50.0
        let width = left + cell * Double(columns.count) + 20, height = top + cell * Double(rows.count) + 50
        var doc = SVGDocument(width: width, height: height)
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 1
        doc.text(title, x: width / 2, y: 22, size: 15)
        for (c, label) in columns.enumerated() {
            doc.text(label, x: left + cell * (Double(c) + 0.5), y: top - 6, size: 11)
        }
        for (r, label) in rows.enumerated() {
            doc.text(label, x: left - 6, y: top + cell * (Double(r) + 0.5) + 4, size: 11, anchor: "end")
            for c in columns.indices {
                let v = r < values.count && c < values[r].count ? values[r][c] : .nan
                let fill: String
                if v.isFinite {
                    // White (lowest) to blue (highest).
                    let t = high > low ? (v - low) / (high - low) : 1
                    let red = Int(255 - 255 * t), green = Int(255 - 141 * t), blue = Int(255 - 77 * t)
                    fill = "rgb(\(red),\(green),\(blue))"
                } else {
                    fill = "#ccc"
                }
                let x = left + cell * Double(c), y = top + cell * Double(r)
                doc.add("<rect class=\"cell\" x=\"\(SVGDocument.number(x))\" y=\"\(SVGDocument.number(y))\" width=\"\(SVGDocument.number(cell))\" height=\"\(SVGDocument.number(cell))\" fill=\"\(fill)\" stroke=\"white\"/>")
                doc.text(v.isFinite ? String(format: "%.4f", v) : "–", x: x + cell / 2, y: y + cell / 2 + 4, size: 11)
            }
        }
        doc.text(columnLabel, x: left + cell * Double(columns.count) / 2, y: height - 14)
        doc.text(rowLabel, x: 14, y: top + cell * Double(rows.count) / 2, rotate: true)
        return doc.rendered
    }
}
