import Foundation

/// The frame of a plot: plot area inside margins, data ↔ pixel mapping, axes
/// with major and minor ticks, tick labels, axis titles and the title lines.
/// Sizes scale with the image so a 2000 px plot looks like a 600 px one, larger.
struct PlotFrame {
    let width: Int, height: Int
    let scale: Double
    var left: Double, right: Double, top: Double, bottom: Double
    let x: AxisTicks, y: AxisTicks

    var fontSize: Double { 14 * scale }
    var smallFont: Double { 11 * scale }

    init(width: Int, height: Int, x: AxisTicks, y: AxisTicks, titleLines: Int, rightMargin: Double = 0) {
        self.width = width
        self.height = height
        self.x = x
        self.y = y
        let scale = max(0.5, Double(min(width, height)) / 600)
        self.scale = scale
        let labelWidth = y.major.map { Canvas.textWidth(y.label($0), size: 11 * scale) }.max() ?? 20
        left = 30 * scale + labelWidth
        right = Double(width) - 20 * scale - rightMargin * scale
        top = (12 + 20 * Double(min(max(0, titleLines), 8))) * scale
        bottom = Double(height) - 48 * scale
    }

    func px(_ v: Double) -> Double { left + (v - x.lower) / (x.upper - x.lower) * (right - left) }
    func py(_ v: Double) -> Double { bottom - (v - y.lower) / (y.upper - y.lower) * (bottom - top) }
    func dataX(_ p: Double) -> Double { x.lower + (p - left) / (right - left) * (x.upper - x.lower) }
    func dataY(_ p: Double) -> Double { y.lower + (bottom - p) / (bottom - top) * (y.upper - y.lower) }

    func drawAxes(on c: inout Canvas, xTitle: String, yTitle: String, grid: Bool = true) {
        let ink = RGBA(0.1, 0.1, 0.1), faint = RGBA(0, 0, 0, 0.08)
        let lw = max(1, scale)
        if grid {
            for v in x.major { c.line(px(v), top, px(v), bottom, width: lw, faint) }
            for v in y.major { c.line(left, py(v), right, py(v), width: lw, faint) }
        }
        for (a, b, e, f) in [(left, top, right, top), (left, bottom, right, bottom), (left, top, left, bottom), (right, top, right, bottom)] {
            c.line(a, b, e, f, width: lw, ink)
        }
        let major = 7 * scale, minor = 4 * scale
        // At the origin corner the first x label and the lowest y label would touch: the x label there starts
        // at the axis (left-aligned) and the y label sits just above the bottom axis.
        let corner = 2 * scale
        for v in x.major {
            c.line(px(v), bottom, px(v), bottom - major, width: lw, ink)
            c.line(px(v), top, px(v), top + major, width: lw, ink)
            let atLeft = abs(px(v) - left) <= corner
            c.text(x.label(v), x: atLeft ? left : px(v), y: bottom + 17 * scale, size: smallFont, color: ink, anchor: atLeft ? .left : .centre)
        }
        for v in x.minor {
            c.line(px(v), bottom, px(v), bottom - minor, width: lw, ink)
            c.line(px(v), top, px(v), top + minor, width: lw, ink)
        }
        for v in y.major {
            c.line(left, py(v), left + major, py(v), width: lw, ink)
            c.line(right, py(v), right - major, py(v), width: lw, ink)
            c.text(y.label(v), x: left - 6 * scale, y: min(py(v) + 4 * scale, bottom - 1 * scale), size: smallFont, color: ink, anchor: .right)
        }
        for v in y.minor {
            c.line(left, py(v), left + minor, py(v), width: lw, ink)
            c.line(right, py(v), right - minor, py(v), width: lw, ink)
        }
        c.text(xTitle, x: (left + right) / 2, y: Double(height) - 10 * scale, size: fontSize, color: ink, anchor: .centre)
        c.text(yTitle, x: 16 * scale, y: (top + bottom) / 2, size: fontSize, color: ink, anchor: .centre, vertical: true)
    }

    /// Title lines as drawn: a line wider than the image is wrapped at spaces (a long warning or radiator
    /// name in a small plot would otherwise be cut off at both sides).
    static func fittedTitle(_ lines: [String], width: Int, height: Int) -> [String] {
        let scale = max(0.5, Double(min(width, height)) / 600)
        let room = Double(width) - 16 * scale
        var out: [String] = []
        for (i, line) in lines.enumerated() {
            let size = (i == 0 ? 14 * 1.1 : 11) * scale
            guard Canvas.textWidth(line, size: size) > room else { out.append(line); continue }
            var current = ""
            for word in line.split(separator: " ", omittingEmptySubsequences: false) {
                let candidate = current.isEmpty ? String(word) : current + " " + word
                if current.isEmpty || Canvas.textWidth(candidate, size: size) <= room { current = candidate }
                else { out.append(current); current = String(word) }
            }
            out.append(current)
        }
        return out
    }

    func drawTitle(on c: inout Canvas, _ lines: [String]) {
        for (i, line) in lines.enumerated() {
            c.text(line, x: Double(width) / 2, y: (20 + 20 * Double(i)) * scale, size: i == 0 ? fontSize * 1.1 : smallFont,
                   color: RGBA(0.1, 0.1, 0.1), anchor: .centre)
        }
    }
}
