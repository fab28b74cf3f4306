import Foundation
import Render
import RPC
import Wire

/// The plot-renderer's methods: wire plot requests → PNG through the Render library.
public struct PlotRendererService: Sendable {
    public static let renderSpectrum = "/spotfinder.v1.PlotRenderer/RenderSpectrum"
    public static let renderMap = "/spotfinder.v1.PlotRenderer/RenderMap"

    public init() {}

    public var routes: RPCRoutes {
        var r = RPCRoutes()
        r.unary(Self.renderSpectrum) { (m: SpectrumPlotRequest, _) in try PlotResponse(png: Self.png(m)) }
        r.unary(Self.renderMap) { (m: MapPlotRequest, _) in try PlotResponse(png: Self.png(m)) }
        return r
    }

    static func size(_ w: UInt32, _ h: UInt32) throws(RPCError) -> (Int, Int) {
        let width = w == 0 ? 600 : Int(w), height = h == 0 ? width : Int(h)
        let sides = PlotRequestLimits.sidePixels
        guard sides.contains(width), sides.contains(height) else {
            throw RPCError(.invalidArgument, "size_px = \(width)×\(height) is out of range: each side must be in [\(sides.lowerBound), \(sides.upperBound)] px")
        }
        return (width, height)
    }

    static func color(_ rgb: UInt32, index: Int) -> RGBA {
        rgb == 0 ? SpectrumPlot.palette[index % SpectrumPlot.palette.count] : RGBA(hex: rgb)
    }

    public static func png(_ m: SpectrumPlotRequest) throws(RPCError) -> Data {
        let (w, h) = try size(m.widthPx, m.heightPx)
        try PlotRequestValidation.validate(m)
        var plot = SpectrumPlot(title: m.title, xTitle: m.xTitle, yTitle: m.yTitle,
                                curves: m.curves.enumerated().map { i, c in
                                    SpectrumPlot.Curve(label: c.label, x: c.x, y: c.y, color: color(c.colorRgb, index: i), dashed: c.dashed)
                                },
                                window: m.windowMax > m.windowMin ? m.windowMin...m.windowMax : nil)
        plot.width = w
        plot.height = h
        plot.yIncludesZero = m.yIncludesZero
        plot.transparent = m.transparent
        return try encode(plot.render(), transparent: m.transparent)
    }

    public static func png(_ m: MapPlotRequest) throws(RPCError) -> Data {
        let (w, h) = m.bare ? (600, 600) : try size(m.widthPx, m.heightPx)
        try PlotRequestValidation.validate(m)
        guard let g = m.grid else { throw RPCError(.invalidArgument, "grid is missing") }
        var plot = MapPlot(title: m.title, xTitle: m.xTitle, yTitle: m.yTitle, zTitle: m.zTitle,
                           grid: MapPlot.Grid(x0: g.x0, y0: g.y0, dx: g.dx, dy: g.dy, columns: Int(g.columns), rows: Int(g.rows)),
                           values: m.values)
        plot.mask = m.mask.isEmpty ? nil : [UInt8](m.mask)
        plot.intensity = m.intensity.isEmpty ? nil : m.intensity
        if !m.palette.isEmpty {
            guard let p = Palette.named(m.palette) else {
                throw RPCError(.invalidArgument, "palette '\(m.palette)' is not known: viridis, bird or diverging")
            }
            plot.palette = p
        }
        if m.zMin != nil || m.zMax != nil {
            let finite = m.values.filter(\.isFinite)
            let lo = m.zMin ?? finite.min() ?? 0, hi = m.zMax ?? finite.max() ?? 1
            plot.zRange = lo...(hi > lo ? hi : lo + 1)
        }
        plot.ellipses = m.ellipses.map { .init(cx: $0.cx, cy: $0.cy, sx: $0.sx, sy: $0.sy, rho: $0.rho, sigmas: $0.sigmas, color: RGBA(hex: $0.colorRgb)) }
        plot.markers = m.markers.map { .init(x: $0.x, y: $0.y, label: $0.label) }
        plot.width = w
        plot.height = h
        plot.transparent = m.transparent
        plot.contourInterval = m.contourInterval
        if m.bare {
            return try encode(plot.renderBare(), transparent: true)
        }
        return try encode(plot.render(), transparent: m.transparent)
    }

    static func encode(_ c: Canvas, transparent: Bool) throws(RPCError) -> Data {
        do { return try PNGEncoder.encode(c, transparent: transparent) } catch { throw RPCError(.internalError, error.description) }
    }
}
