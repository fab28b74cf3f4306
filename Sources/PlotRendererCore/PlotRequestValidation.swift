import Foundation
import RPC
import Render
import Wire

/// What the plot-renderer accepts: every number finite, every count and size bounded, so that any
/// well-formed message is drawn in bounded time or refused with INVALID_ARGUMENT naming the field.
/// The bounds sit well above what the edge sends (4,000-bin spectra, 2,000-bin tilt maps, topographs
/// at the import limit) and well below what would cost seconds to draw.
public enum PlotRequestLimits {
    public static let sidePixels = 200...2000
    public static let titleLines = 6
    /// Unicode scalars per title line, axis title or label.
    public static let titleCharacters = 300
    public static let labelCharacters = 100
    public static let curves = 16
    public static let pointsPerCurve = 20_000
    public static let totalPoints = 50_000
    public static let ellipses = 16
    public static let markers = 64
    /// Largest n of an n σ ellipse.
    public static let maxSigmas = 10.0
    /// Largest magnitude of any coordinate or value: far beyond any physical quantity here, and small
    /// enough that differences and spans stay finite.
    public static let magnitude = 1e30
    /// Map cells: a non-bare map at most this many, a bare (one pixel per cell) one at most 4000 per side.
    public static let cells = 16_000_000
    public static let bareSide = 4000
}

enum PlotRequestValidation {
    typealias L = PlotRequestLimits

    static func invalid(_ message: String) -> RPCError { RPCError(.invalidArgument, message) }

    static func finite(_ v: Double, _ field: String, magnitude: Double = L.magnitude) throws(RPCError) {
        guard v.isFinite, abs(v) <= magnitude else {
            throw invalid("\(field) = \(v) is not allowed: must be a finite number within ±\(magnitude)")
        }
    }

    static func text(_ s: String, _ field: String, limit: Int) throws(RPCError) {
        let n = s.unicodeScalars.count
        guard n <= limit else { throw invalid("\(field) has \(n) characters: at most \(limit)") }
    }

    static func titles(_ lines: [String], axes: [(String, String)]) throws(RPCError) {
        guard lines.count <= L.titleLines else { throw invalid("title has \(lines.count) lines: at most \(L.titleLines)") }
        for (i, line) in lines.enumerated() { try text(line, "title[\(i)]", limit: L.titleCharacters) }
        for (field, value) in axes { try text(value, field, limit: L.titleCharacters) }
    }

    static func validate(_ m: SpectrumPlotRequest) throws(RPCError) {
        try titles(m.title, axes: [("x_title", m.xTitle), ("y_title", m.yTitle)])
        guard m.curves.count <= L.curves else { throw invalid("\(m.curves.count) curves: at most \(L.curves)") }
        var total = 0
        for (i, c) in m.curves.enumerated() {
            let name = "curves[\(i)]"
            try text(c.label, "\(name).label", limit: L.labelCharacters)
            guard c.x.count == c.y.count else {
                throw invalid("\(name) ('\(c.label)') has \(c.x.count) x values and \(c.y.count) y values")
            }
            guard c.x.count <= L.pointsPerCurve else { throw invalid("\(name) has \(c.x.count) points: at most \(L.pointsPerCurve)") }
            total += c.x.count
            for (k, v) in c.x.enumerated() { try finite(v, "\(name).x[\(k)]") }
            // NaN is "no value in this bin" (a gap); infinities and absurd magnitudes are errors.
            for (k, v) in c.y.enumerated() where !v.isNaN { try finite(v, "\(name).y[\(k)]") }
        }
        guard total <= L.totalPoints else { throw invalid("the curves have \(total) points in all: at most \(L.totalPoints)") }
        try finite(m.windowMin, "window_min")
        try finite(m.windowMax, "window_max")
    }

    /// A contour interval must be a positive finite number giving at most `MapContours.maxLevels`
    /// levels over the data cells' range (values already checked finite or NaN).
    static func contours(_ interval: Double, _ values: [Double], mask: Data) throws(RPCError) {
        guard interval.isFinite, interval > 0 else {
            throw invalid("contour_interval = \(interval) is not allowed: must be a finite number > 0 (in the values' unit)")
        }
        var lo = Double.infinity, hi = -Double.infinity
        for (k, v) in values.enumerated() where v.isFinite && (mask.isEmpty || mask[mask.startIndex + k] == 1) { lo = min(lo, v); hi = max(hi, v) }
        guard lo <= hi else { return }
        guard MapContours.levels(interval: interval, range: lo...hi) != nil else {
            throw invalid("contour_interval = \(interval) gives more than \(MapContours.maxLevels) levels over the values \(lo)…\(hi): use an interval ≥ \((hi - lo) / Double(MapContours.maxLevels - 1))")
        }
    }

    static func validate(_ m: MapPlotRequest) throws(RPCError) {
        try titles(m.title, axes: [("x_title", m.xTitle), ("y_title", m.yTitle), ("z_title", m.zTitle)])
        guard let g = m.grid else { throw invalid("grid is missing: a map needs columns, rows and cell sizes") }
        guard g.columns > 0, g.rows > 0 else { throw invalid("grid has \(g.columns) × \(g.rows) cells: needs at least 1 × 1") }
        try finite(g.x0, "grid.x0")
        try finite(g.y0, "grid.y0")
        for (field, d, n) in [("grid.dx", g.dx, g.columns), ("grid.dy", g.dy, g.rows)] {
            try finite(d, field)
            guard d > 0 else { throw invalid("\(field) = \(d) is not allowed: cells must have a positive size") }
            // The extent must be finite, and a cell must be resolvable next to the origin (x0 + dx ≠ x0).
            let origin = field == "grid.dx" ? g.x0 : g.y0
            guard Double(n) * d <= L.magnitude, d >= 1e-12 * max(1, abs(origin)) else {
                throw invalid("\(field) = \(d) with \(n) cells from \(origin) is not a usable grid: the extent must be within ±\(L.magnitude) and a cell larger than 1e-12 of the origin")
            }
        }
        // Each side first: the product of two UInt32s can overflow Int.
        guard Int(g.columns) <= L.cells, Int(g.rows) <= L.cells, Int(g.columns) * Int(g.rows) <= L.cells else { throw invalid("grid of \(g.columns) × \(g.rows) cells is too large: at most \(L.cells) cells") }
        let cells = Int(g.columns) * Int(g.rows)
        if m.bare {
            guard g.columns <= L.bareSide, g.rows <= L.bareSide else {
                throw invalid("bare maps are at most \(L.bareSide) × \(L.bareSide) cells, got \(g.columns) × \(g.rows)")
            }
        }
        guard m.values.count == cells else { throw invalid("values has \(m.values.count) entries for \(g.columns) × \(g.rows) = \(cells) cells") }
        // NaN marks a cell without data; infinities and absurd magnitudes are errors.
        for (k, v) in m.values.enumerated() where !v.isNaN { try finite(v, "values[\(k)]") }
        guard m.mask.isEmpty || m.mask.count == cells else { throw invalid("mask has \(m.mask.count) entries for \(cells) cells") }
        if let k = m.mask.firstIndex(where: { $0 > 5 }) {
            throw invalid("mask[\(k - m.mask.startIndex)] = \(m.mask[k]) is not 0 (nothing), 1 (data), 2 (mount), 3 (excluded), 4 (no data) or 5 (outline)")
        }
        guard m.intensity.isEmpty || m.intensity.count == cells else {
            throw invalid("intensity has \(m.intensity.count) entries for \(cells) cells")
        }
        if let k = m.intensity.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw invalid("intensity[\(k)] = \(m.intensity[k]) is not allowed: must be finite and ≥ 0 (1 is full strength)")
        }
        if let lo = m.zMin { try finite(lo, "z_min") }
        if let hi = m.zMax { try finite(hi, "z_max") }
        if let lo = m.zMin, let hi = m.zMax, !(hi > lo) { throw invalid("z_max = \(hi) must be above z_min = \(lo)") }
        if let interval = m.contourInterval { try contours(interval, m.values, mask: m.mask) }
        guard m.ellipses.count <= L.ellipses else { throw invalid("\(m.ellipses.count) ellipses: at most \(L.ellipses)") }
        for (i, e) in m.ellipses.enumerated() {
            let name = "ellipses[\(i)]"
            try finite(e.cx, "\(name).cx")
            try finite(e.cy, "\(name).cy")
            for (field, v) in [("sx", e.sx), ("sy", e.sy)] {
                try finite(v, "\(name).\(field)")
                guard v >= 0 else { throw invalid("\(name).\(field) = \(v) is not allowed: an rms width is ≥ 0") }
            }
            guard e.rho.isFinite, abs(e.rho) < 1 else { throw invalid("\(name).rho = \(e.rho) is not allowed: a correlation must be in (−1, 1)") }
            guard e.sigmas.isFinite, e.sigmas > 0, e.sigmas <= L.maxSigmas else {
                throw invalid("\(name).sigmas = \(e.sigmas) is not allowed: must be in (0, \(L.maxSigmas)]")
            }
        }
        guard m.markers.count <= L.markers else { throw invalid("\(m.markers.count) markers: at most \(L.markers)") }
        for (i, mk) in m.markers.enumerated() {
            try finite(mk.x, "markers[\(i)].x")
            try finite(mk.y, "markers[\(i)].y")
            try text(mk.label, "markers[\(i)].label", limit: L.labelCharacters)
        }
    }
}
