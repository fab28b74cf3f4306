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
        let firstBin = curves.first.flatMap { $0.x.count > 1 ? abs($0.x[1] - $0.x[0]) / 2 : nil } ?? 0
        let halfBin = firstBin.isFinite ? firstBin : 0
        var y0 = ys.min() ?? 0, y1 = ys.max() ?? 1
        if yIncludesZero { y0 = min(0, y0) }
        if !(y1 > y0) { y1 = y0 + 1 }
        let headroom = 0.08 * (y1 - y0)
        let xr = x0 - halfBin <= x1 + halfBin ? (x0 - halfBin)...(x1 + halfBin) : x0...x1
        return (xr, y0...(headroom.isFinite ? y1 + headroom : y1))
    }

    /// The title wrapped to the image's width.
    var shownTitle: [String] { PlotFrame.fittedTitle(title, width: width, height: height) }

    public func render() -> Canvas {
        var c = Canvas(width: width, height: height, background: transparent ? .clear : .white)
        let r = ranges
        let frame = PlotFrame(width: width, height: height, x: AxisTicks(lower: r.x.lowerBound, upper: r.x.upperBound),
                              y: AxisTicks(lower: r.y.lowerBound, upper: r.y.upperBound), titleLines: shownTitle.count)
        // Keep the data range exactly (ticks inside); the frame maps the ranges.
        frame.drawAxes(on: &c, xTitle: xTitle, yTitle: yTitle)
        if let w = window {
            for v in [w.lowerBound, w.upperBound] where v > r.x.lowerBound && v < r.x.upperBound {
                c.line(frame.px(v), frame.top, frame.px(v), frame.bottom, width: max(1, frame.scale), RGBA(0.4, 0.4, 0.4, 0.6))
            }
        }
        // Curves stay inside the axes (with room for the line's width along them), never over the margins.
        let lineRoom = 2 * frame.scale
        c.setClip(x0: frame.left - lineRoom, y0: frame.top - lineRoom, x1: frame.right + lineRoom, y1: frame.bottom + lineRoom)
        for curve in curves {
            let points = stepPoints(curve, frame)
            let pieces = curve.dashed ? Self.dashes(points, on: 9 * frame.scale, off: 5 * frame.scale) : [points]
            for piece in pieces { c.polyline(piece, width: 1.6 * frame.scale, curve.color) }
        }
        c.resetClip()
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
        frame.drawTitle(on: &c, shownTitle)
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
    /// Points are kept within a few image widths of the canvas (steps are horizontal and vertical, so
    /// this changes nothing visible) so that dashing and drawing stay bounded for any data.
    func stepPoints(_ curve: Curve, _ f: PlotFrame) -> [(Double, Double)] {
        let n = min(curve.x.count, curve.y.count)
        let w = Double(f.width), h = Double(f.height)
        func point(_ x: Double, _ y: Double) -> (Double, Double) {
            let px = f.px(x), py = f.py(y)
            return (px.isFinite ? min(max(px, -2 * w), 3 * w) : px, py.isFinite ? min(max(py, -2 * h), 3 * h) : py)
        }
        guard n > 1 else { return (0..<n).map { point(curve.x[$0], curve.y[$0]) } }
        var pts: [(Double, Double)] = []
        for i in 0..<n where curve.y[i].isFinite && curve.x[i].isFinite {
            let half = (i + 1 < n ? curve.x[i + 1] - curve.x[i] : curve.x[i] - curve.x[i - 1]) / 2
            let y = min(max(curve.y[i], f.y.lower), f.y.upper)
            pts.append(point(curve.x[i] - half, y))
            pts.append(point(curve.x[i] + half, y))
        }
        return pts
    }
}
