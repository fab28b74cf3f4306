import Foundation

/// A false-colour map on a regular grid (a topograph, a tilt histogram): drawn
/// to scale, with a labelled colour bar, cells without data or on the mount
/// drawn distinctly, and overlays (Gaussian-spot ellipses, intensity, markers).
public struct MapPlot: Sendable {
    /// Cell centres: x0 + i·dx, y0 + j·dy; values row-major, row j = y.
    public struct Grid: Sendable {
        public var x0: Double, y0: Double, dx: Double, dy: Double, columns: Int, rows: Int
        public init(x0: Double, y0: Double, dx: Double, dy: Double, columns: Int, rows: Int) {
            self.x0 = x0; self.y0 = y0; self.dx = dx; self.dy = dy; self.columns = columns; self.rows = rows
        }
    }
    /// An ellipse of a 2D Gaussian at n σ.
    public struct Ellipse: Sendable {
        public var cx: Double, cy: Double, sx: Double, sy: Double, rho: Double, sigmas: Double
        public var color: RGBA
        public init(cx: Double, cy: Double, sx: Double, sy: Double, rho: Double, sigmas: Double, color: RGBA) {
            self.cx = cx; self.cy = cy; self.sx = sx; self.sy = sy; self.rho = rho; self.sigmas = sigmas; self.color = color
        }
    }
    public struct Marker: Sendable {
        public var x: Double, y: Double, label: String
        public init(x: Double, y: Double, label: String) { self.x = x; self.y = y; self.label = label }
    }

    public var title: [String]
    public var xTitle: String, yTitle: String, zTitle: String
    public var grid: Grid
    public var values: [Double]
    /// Per cell: 0 nothing (white), 1 data, 2 mount (grey, hatched). Nil: NaN means no data.
    public var mask: [UInt8]?
    public var palette = Palette.viridis
    /// Colour range; nil: the data's min…max (symmetric about 0 for the diverging palette).
    public var zRange: ClosedRange<Double>?
    public var ellipses: [Ellipse] = []
    public var markers: [Marker] = []
    /// Beam intensity per cell (0…1), drawn as a translucent warm overlay.
    public var intensity: [Float]?
    public var width = 600, height = 600
    public var transparent = false

    public init(title: [String], xTitle: String, yTitle: String, zTitle: String, grid: Grid, values: [Double]) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.zTitle = zTitle
        self.grid = grid
        self.values = values
    }

    /// The colour scale the bar shows.
    public var colourRange: ClosedRange<Double> {
        if let zRange { return zRange }
        let finite = values.indices.filter { values[$0].isFinite && (mask?[$0] ?? 1) == 1 }.map { values[$0] }
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if palette.name == "diverging" { let m = max(abs(lo), abs(hi)); lo = -m; hi = m }
        if hi <= lo { hi = lo + 1 }
        return lo...hi
    }

    /// Just the cells: one pixel per cell, north up, transparent where there is no data.
    public func renderBare() -> Canvas {
        var c = Canvas(width: grid.columns, height: grid.rows, background: .clear)
        let z = colourRange
        for j in 0..<grid.rows {
            for i in 0..<grid.columns {
                let k = j * grid.columns + i
                let y = grid.rows - 1 - j
                switch mask?[k] ?? (values[k].isFinite ? 1 : 0) {
                case 2: c.blend(x: i, y: y, RGBA(0.62, 0.62, 0.62))
                case 1 where values[k].isFinite: c.blend(x: i, y: y, palette.color((values[k] - z.lowerBound) / (z.upperBound - z.lowerBound)))
                default: break
                }
            }
        }
        return c
    }

    public func render() -> Canvas {
        var c = Canvas(width: width, height: height, background: transparent ? .clear : .white)
        let g = grid
        var xr = (g.x0 - g.dx / 2)...(g.x0 + (Double(g.columns) - 0.5) * g.dx)
        var yr = (g.y0 - g.dy / 2)...(g.y0 + (Double(g.rows) - 0.5) * g.dy)
        var frame = PlotFrame(width: width, height: height, x: AxisTicks(lower: xr.lowerBound, upper: xr.upperBound),
                              y: AxisTicks(lower: yr.lowerBound, upper: yr.upperBound), titleLines: title.count, rightMargin: 90)
        // Equal scales on both axes: widen the shorter range so the map is drawn to scale.
        let ppx = (frame.right - frame.left) / (xr.upperBound - xr.lowerBound), ppy = (frame.bottom - frame.top) / (yr.upperBound - yr.lowerBound)
        if ppx > ppy {
            let extra = ((frame.right - frame.left) / ppy - (xr.upperBound - xr.lowerBound)) / 2
            xr = (xr.lowerBound - extra)...(xr.upperBound + extra)
        } else {
            let extra = ((frame.bottom - frame.top) / ppx - (yr.upperBound - yr.lowerBound)) / 2
            yr = (yr.lowerBound - extra)...(yr.upperBound + extra)
        }
        frame = PlotFrame(width: width, height: height, x: AxisTicks(lower: xr.lowerBound, upper: xr.upperBound),
                          y: AxisTicks(lower: yr.lowerBound, upper: yr.upperBound), titleLines: title.count, rightMargin: 90)
        let z = colourRange
        // Cells, pixel by pixel (nearest cell): exact placement, no resampling blur.
        let warm = RGBA(1.0, 0.3, 0.1)
        for py in Int(frame.top)..<Int(frame.bottom.rounded(.up)) {
            let dyv = frame.dataY(Double(py) + 0.5)
            let j = Int(((dyv - g.y0) / g.dy + 0.5).rounded(.down))
            guard j >= 0, j < g.rows else { continue }
            for px in Int(frame.left)..<Int(frame.right.rounded(.up)) {
                let i = Int(((frame.dataX(Double(px) + 0.5) - g.x0) / g.dx + 0.5).rounded(.down))
                guard i >= 0, i < g.columns else { continue }
                let k = j * g.columns + i
                switch mask?[k] ?? (values[k].isFinite ? 1 : 0) {
                case 2:
                    let hatch = (px + py) % Int(max(6, 8 * frame.scale)) < Int(max(2, 2 * frame.scale))
                    c.blend(x: px, y: py, hatch ? RGBA(0.45, 0.45, 0.45) : RGBA(0.75, 0.75, 0.75))
                case 1 where values[k].isFinite:
                    c.blend(x: px, y: py, palette.color((values[k] - z.lowerBound) / (z.upperBound - z.lowerBound)))
                default:
                    break
                }
                if let intensity, intensity[k] > 0.01 {
                    c.blend(x: px, y: py, warm, coverage: 0.55 * Double(intensity[k]))
                }
            }
        }
        frame.drawAxes(on: &c, xTitle: xTitle, yTitle: yTitle, grid: false)
        for e in ellipses { drawEllipse(e, frame, &c) }
        for m in markers {
            let x = frame.px(m.x), y = frame.py(m.y), s = 6 * frame.scale
            c.line(x - s, y, x + s, y, width: 2 * frame.scale, .white)
            c.line(x, y - s, x, y + s, width: 2 * frame.scale, .white)
            c.line(x - s, y, x + s, y, width: frame.scale, .black)
            c.line(x, y - s, x, y + s, width: frame.scale, .black)
            if !m.label.isEmpty { c.text(m.label, x: x + s + 2, y: y - s, size: frame.smallFont) }
        }
        drawColourBar(frame, z, &c)
        frame.drawTitle(on: &c, title)
        return c
    }

    func drawEllipse(_ e: Ellipse, _ f: PlotFrame, _ c: inout Canvas) {
        // Points of the n σ contour: covariance Cholesky factor applied to a circle.
        let a = e.sx, b = e.rho * e.sy, d = e.sy * (1 - e.rho * e.rho).squareRoot()
        let pts = (0...96).map { k -> (Double, Double) in
            let t = Double(k) / 96 * 2 * Double.pi
            let u = cos(t) * e.sigmas, v = sin(t) * e.sigmas
            return (f.px(e.cx + a * u), f.py(e.cy + b * u + d * v))
        }
        c.polyline(pts, width: 3 * f.scale, RGBA(1, 1, 1, 0.8))
        c.polyline(pts, width: 1.5 * f.scale, e.color)
    }

    func drawColourBar(_ f: PlotFrame, _ z: ClosedRange<Double>, _ c: inout Canvas) {
        let x0 = f.right + 16 * f.scale, x1 = x0 + 16 * f.scale
        for py in Int(f.top)..<Int(f.bottom) {
            let t = (f.bottom - Double(py) - 0.5) / (f.bottom - f.top)
            c.fill(x0: x0, y0: Double(py), x1: x1, y1: Double(py + 1), palette.color(t))
        }
        for (a, b, e, g) in [(x0, f.top, x1, f.top), (x0, f.bottom, x1, f.bottom), (x0, f.top, x0, f.bottom), (x1, f.top, x1, f.bottom)] {
            c.line(a, b, e, g, width: max(1, f.scale), .black)
        }
        let ticks = AxisTicks(lower: z.lowerBound, upper: z.upperBound, target: 6)
        for v in ticks.major {
            let y = f.bottom - (v - z.lowerBound) / (z.upperBound - z.lowerBound) * (f.bottom - f.top)
            c.line(x1, y, x1 + 4 * f.scale, y, width: max(1, f.scale), .black)
            c.text(ticks.label(v), x: x1 + 6 * f.scale, y: y + 4 * f.scale, size: f.smallFont)
        }
        c.text(zTitle, x: Double(width) - 6 * f.scale, y: (f.top + f.bottom) / 2, size: f.smallFont, anchor: .centre, vertical: true)
    }
}
