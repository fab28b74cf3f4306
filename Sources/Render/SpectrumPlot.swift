import Foundation

/// A spectrum (intensity, enhancement or polarization vs photon energy): step
/// curves, optional second and comparison curves, the window bounded, a legend
/// and a title with the headline numbers.
public struct SpectrumPlot: Sendable {
    public struct Curve: Sendable {
        public var label: String
        public var x: [Double]
        public var y: [Double]
        public var color: RGBA
        public var dashed: Bool
        public init(label: String, x: [Double], y: [Double], color: RGBA, dashed: Bool = false) {
            self.label = label; self.x = x; self.y = y; self.color = color; self.dashed = dashed
        }
    }

    public var title: [String]
    public var xTitle: String
    public var yTitle: String
    public var curves: [Curve]
    /// Vertical lines bounding the photon-energy window.
    public var window: ClosedRange<Double>?
    public var yIncludesZero = true
    public var width = 600, height = 600
    public var transparent = false

    public init(title: [String], xTitle: String, yTitle: String, curves: [Curve], window: ClosedRange<Double>? = nil) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.curves = curves
        self.window = window
    }

    public static let palette: [RGBA] = [RGBA(hex: 0x1F4E9C), RGBA(hex: 0xC0392B), RGBA(hex: 0x2E8B57), RGBA(hex: 0x8E44AD)]

    /// The x and y ranges the axes will show.
    public var ranges: (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let xs = curves.flatMap(\.x).filter(\.isFinite), ys = curves.flatMap(\.y).filter(\.isFinite)
        let x0 = xs.min() ?? 0, x1 = xs.max() ?? 1
        let halfBin = curves.first.flatMap { $0.x.count > 1 ? ($0.x[1] - $0.x[0]) / 2 : nil } ?? 0
        var y0 = ys.min() ?? 0, y1 = ys.max() ?? 1
        if yIncludesZero { y0 = min(0, y0) }
        if y1 <= y0 { y1 = y0 + 1 }
        return ((x0 - halfBin)...(x1 + halfBin), y0...(y1 + 0.08 * (y1 - y0)))
    }

    public func render() -> Canvas {
        var c = Canvas(width: width, height: height, background: transparent ? .clear : .white)
        let r = ranges
        let frame = PlotFrame(width: width, height: height, x: AxisTicks(lower: r.x.lowerBound, upper: r.x.upperBound),
                              y: AxisTicks(lower: r.y.lowerBound, upper: r.y.upperBound), titleLines: title.count)
        // Keep the data range exactly (ticks inside); the frame maps the ranges.
        frame.drawAxes(on: &c, xTitle: xTitle, yTitle: yTitle)
        if let w = window {
            for v in [w.lowerBound, w.upperBound] where v > r.x.lowerBound && v < r.x.upperBound {
                c.line(frame.px(v), frame.top, frame.px(v), frame.bottom, width: max(1, frame.scale), RGBA(0.4, 0.4, 0.4, 0.6))
            }
        }
        for curve in curves {
            let points = stepPoints(curve, frame)
            let pieces = curve.dashed ? Self.dashes(points, on: 9 * frame.scale, off: 5 * frame.scale) : [points]
            for piece in pieces { c.polyline(piece, width: 1.6 * frame.scale, curve.color) }
        }
        // Legend, top right inside the frame.
        if curves.count > 1 {
            var y = frame.top + 18 * frame.scale
            for curve in curves {
                let x = frame.right - 12 * frame.scale
                c.text(curve.label, x: x - 30 * frame.scale, y: y + 4 * frame.scale, size: frame.smallFont, anchor: .right)
                c.line(x - 24 * frame.scale, y, x, y, width: 2 * frame.scale, curve.color)
                y += 17 * frame.scale
            }
        }
        frame.drawTitle(on: &c, title)
        return c
    }

    /// Cut a polyline into dashes of `on` pixels separated by gaps of `off` pixels.
    static func dashes(_ points: [(Double, Double)], on: Double, off: Double) -> [[(Double, Double)]] {
        var out: [[(Double, Double)]] = [], current: [(Double, Double)] = []
        var drawing = true, left = on
        guard var p = points.first else { return [] }
        current.append(p)
        for q in points.dropFirst() {
            var (dx, dy) = (q.0 - p.0, q.1 - p.1)
            var length = (dx * dx + dy * dy).squareRoot()
            while length > left {
                let f = left / length
                let cut = (p.0 + dx * f, p.1 + dy * f)
                if drawing { current.append(cut); out.append(current); current = [] } else { current = [cut] }
                drawing.toggle()
                p = cut
                (dx, dy) = (q.0 - p.0, q.1 - p.1)
                length -= left
                left = drawing ? on : off
            }
            left -= length
            p = q
            if drawing { current.append(q) }
        }
        if drawing && current.count > 1 { out.append(current) }
        return out
    }

    /// Histogram steps: each bin drawn flat across its width.
    func stepPoints(_ curve: Curve, _ f: PlotFrame) -> [(Double, Double)] {
        guard curve.x.count > 1 else { return curve.x.indices.map { (f.px(curve.x[$0]), f.py(curve.y[$0])) } }
        var pts: [(Double, Double)] = []
        for i in curve.x.indices where curve.y[i].isFinite {
            let half = (i + 1 < curve.x.count ? curve.x[i + 1] - curve.x[i] : curve.x[i] - curve.x[i - 1]) / 2
            let y = f.py(min(max(curve.y[i], f.y.lower), f.y.upper))
            pts.append((f.px(curve.x[i] - half), y))
            pts.append((f.px(curve.x[i] + half), y))
        }
        return pts
    }
}
