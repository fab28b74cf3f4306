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
    /// Contour lines at every multiple of this interval (the values' unit) within the data's range;
    /// nil: none. More than `MapContours.maxLevels` levels draw none (the renderer refuses them first).
    public var contourInterval: Double?

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
        let finite = values.indices.filter { values[$0].isFinite && kind($0) == 1 }.map { values[$0] }
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if palette.name == "diverging" { let m = max(abs(lo), abs(hi)); lo = -m; hi = m }
        if !(hi > lo) { hi = lo + 1 }
        if !(hi > lo) { lo = hi - 1 }  // lo + 1 == lo for huge values
        return lo...hi
    }

    /// Cell k's surface: the mask's (0 nothing, 1 data, 2 mount, 3 excluded: hatched, 4 no data: pale,
    /// 5 outline: dark) or, without a mask, data where the value is finite; cells the arrays miss have nothing.
    @inline(__always)
    func kind(_ k: Int) -> UInt8 {
        if let mask { return k < mask.count ? mask[k] : 0 }
        return k < values.count && values[k].isFinite ? 1 : 0
    }

    @inline(__always)
    func value(_ k: Int) -> Double { k < values.count ? values[k] : .nan }

    /// The grid index of a data coordinate along one axis, or nil off the grid (never traps).
    @inline(__always)
    static func cell(_ v: Double, origin: Double, step: Double, count: Int) -> Int? {
        let f = ((v - origin) / step + 0.5).rounded(.down)
        guard f >= 0, f < Double(count) else { return nil }  // false for NaN
        return Int(f)
    }

    /// Just the cells: one pixel per cell, north up, transparent where there is no data.
    public func renderBare() -> Canvas {
        var c = Canvas(width: grid.columns, height: grid.rows, background: .clear)
        let z = colourRange
        for j in 0..<max(0, grid.rows) {
            for i in 0..<max(0, grid.columns) {
                let k = j * grid.columns + i
                let y = grid.rows - 1 - j
                switch kind(k) {
                case 2: c.blend(x: i, y: y, RGBA(0.62, 0.62, 0.62))
                case 1 where value(k).isFinite: c.blend(x: i, y: y, palette.color((value(k) - z.lowerBound) / (z.upperBound - z.lowerBound)))
                default: break
                }
            }
        }
        return c
    }

    /// The data ranges the axes show, before equal scaling: the grid's extent, or 0…1 for a grid that has none.
    var extent: (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let g = grid
        func span(_ origin: Double, _ step: Double, _ n: Int) -> ClosedRange<Double> {
            let lo = origin - step / 2, hi = origin + (Double(n) - 0.5) * step
            return lo.isFinite && hi.isFinite && hi > lo ? lo...hi : 0...1
        }
        return (span(g.x0, g.dx, g.columns), span(g.y0, g.dy, g.rows))
    }

    /// The frame: axes around the grid's extent, the shorter range widened so the map is drawn to scale.
    func layout() -> PlotFrame {
        var (xr, yr) = extent
        let frame = PlotFrame(width: width, height: height, x: AxisTicks(lower: xr.lowerBound, upper: xr.upperBound),
                              y: AxisTicks(lower: yr.lowerBound, upper: yr.upperBound), titleLines: shownTitle.count, rightMargin: 90)
        // Equal scales on both axes: widen the shorter range so the map is drawn to scale.
        let ppx = (frame.right - frame.left) / (xr.upperBound - xr.lowerBound), ppy = (frame.bottom - frame.top) / (yr.upperBound - yr.lowerBound)
        if ppx > ppy {
            let extra = ((frame.right - frame.left) / ppy - (xr.upperBound - xr.lowerBound)) / 2
            if extra.isFinite, extra > 0 { xr = (xr.lowerBound - extra)...(xr.upperBound + extra) }
        } else {
            let extra = ((frame.bottom - frame.top) / ppx - (yr.upperBound - yr.lowerBound)) / 2
            if extra.isFinite, extra > 0 { yr = (yr.lowerBound - extra)...(yr.upperBound + extra) }
        }
        return PlotFrame(width: width, height: height, x: AxisTicks(lower: xr.lowerBound, upper: xr.upperBound),
                         y: AxisTicks(lower: yr.lowerBound, upper: yr.upperBound), titleLines: shownTitle.count, rightMargin: 90)
    }

    /// The title wrapped to the image's width.
    var shownTitle: [String] { PlotFrame.fittedTitle(title, width: width, height: height) }

    public func render() -> Canvas {
        var c = Canvas(width: width, height: height, background: transparent ? .clear : .white)
        let g = grid
        let frame = layout()
        let z = colourRange
        // Cells, pixel by pixel (nearest cell): exact placement, no resampling blur.
        let warm = RGBA(1.0, 0.3, 0.1)
        let hatchPeriod = Int(max(6, 8 * frame.scale)), hatchOn = Int(max(2, 2 * frame.scale))
        for py in stride(from: Canvas.clamped(frame.top, 0, height), to: Canvas.clamped(frame.bottom.rounded(.up), 0, height), by: 1) {
            guard let j = Self.cell(frame.dataY(Double(py) + 0.5), origin: g.y0, step: g.dy, count: g.rows) else { continue }
            for px in stride(from: Canvas.clamped(frame.left, 0, width), to: Canvas.clamped(frame.right.rounded(.up), 0, width), by: 1) {
                guard let i = Self.cell(frame.dataX(Double(px) + 0.5), origin: g.x0, step: g.dx, count: g.columns) else { continue }
                let k = j * g.columns + i
                switch kind(k) {
                case 2:
                    let hatch = (px + py) % hatchPeriod < hatchOn
                    c.blend(x: px, y: py, hatch ? RGBA(0.45, 0.45, 0.45) : RGBA(0.75, 0.75, 0.75))
                case 1 where value(k).isFinite:
                    c.blend(x: px, y: py, palette.color((value(k) - z.lowerBound) / (z.upperBound - z.lowerBound)))
                case 3:
                    // Excluded (a spot map's constraint): pale, hatched the other way from the mount.
                    let hatch = (px - py + 4 * hatchPeriod * height) % hatchPeriod < hatchOn
                    c.blend(x: px, y: py, hatch ? RGBA(0.55, 0.35, 0.35) : RGBA(0.93, 0.9, 0.9))
                case 4:
                    c.blend(x: px, y: py, RGBA(0.88, 0.88, 0.88))
                case 5:
                    c.blend(x: px, y: py, RGBA(0.1, 0.1, 0.1))
                default:
                    break
                }
                if let intensity, k < intensity.count, intensity[k] > 0.01 {
                    c.blend(x: px, y: py, warm, coverage: 0.55 * Double(min(1, intensity[k])))
                }
            }
        }
        frame.drawAxes(on: &c, xTitle: xTitle, yTitle: yTitle, grid: false)
        // Overlays belong to the plot area: a spot or a mean off the map is cut at the axes, never drawn over the colour bar.
        c.setClip(x0: frame.left, y0: frame.top, x1: frame.right, y1: frame.bottom)
        drawContours(frame, &c)
        for e in ellipses { drawEllipse(e, frame, &c) }
        for m in markers {
            let x = frame.px(m.x), y = frame.py(m.y), s = 6 * frame.scale
            c.line(x - s, y, x + s, y, width: 2 * frame.scale, .white)
            c.line(x, y - s, x, y + s, width: 2 * frame.scale, .white)
            c.line(x - s, y, x + s, y, width: frame.scale, .black)
            c.line(x, y - s, x, y + s, width: frame.scale, .black)
            if !m.label.isEmpty { c.text(m.label, x: x + s + 2, y: y - s, size: frame.smallFont) }
        }
        c.resetClip()
        drawColourBar(frame, z, &c)
        frame.drawTitle(on: &c, shownTitle)
        return c
    }

    /// The data cells' value range (what contour levels are counted over), nil without data.
    public var dataRange: ClosedRange<Double>? {
        var lo = Double.infinity, hi = -Double.infinity
        for k in values.indices where values[k].isFinite && kind(k) == 1 { lo = min(lo, values[k]); hi = max(hi, values[k]) }
        return lo <= hi ? lo...hi : nil
    }

    /// Thin dark lines of equal value over the data cells (marching squares between cell centres).
    func drawContours(_ f: PlotFrame, _ c: inout Canvas) {
        guard let interval = contourInterval, let range = dataRange,
              let levels = MapContours.levels(interval: interval, range: range), !levels.isEmpty else { return }
        let g = grid
        let step = MapContours.step(columns: g.columns, rows: g.rows, levels: levels.count)
        let width = max(1, 1.1 * f.scale), ink = RGBA(0.05, 0.05, 0.05, 0.85)
        MapContours.trace(columns: g.columns, rows: g.rows, step: step, levels: levels, value: { i, j in
            let k = j * g.columns + i
            let v = value(k)
            return kind(k) == 1 && v.isFinite ? v : nil
        }, segment: { i0, j0, i1, j1 in
            c.line(f.px(g.x0 + i0 * g.dx), f.py(g.y0 + j0 * g.dy), f.px(g.x0 + i1 * g.dx), f.py(g.y0 + j1 * g.dy), width: width, ink)
        })
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
        for py in stride(from: Canvas.clamped(f.top, 0, height), to: Canvas.clamped(f.bottom, 0, height), by: 1) {
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
