import API
import Foundation
import SpotMap
import Topography
import Wire

extension PlotRequests {
    /// The spot map drawn over the radiator, to scale, in the radiator's frame (as the spot plot):
    /// each topograph pixel shows the figure of merit of the placement that puts the beam centre
    /// nearest to it. Excluded placements are hatched, the crystal outlined, the mount grey; the
    /// best spots are numbered and the beam's current position is marked.
    public static func spotMap(_ map: MapResponse, view: RadiatorView, request: SpotfinderRequest) -> MapPlotRequest {
        var m = MapPlotRequest()
        let g = view.grid, c = g.centre
        m.grid = MapGridMessage(x0: g.originXMillimeters, y0: g.originYMillimeters, dx: g.pixelMillimeters, dy: g.pixelMillimeters,
                                columns: UInt32(g.columns), rows: UInt32(g.rows))
        let phi = map.rad_phideg * Double.pi / 180
        let cs = cos(phi), sn = sin(phi)
        let xs = map.x_offsets_mm, ys = map.y_offsets_mm
        let stepX = xs.count > 1 ? xs[1] - xs[0] : map.map_step, stepY = ys.count > 1 ? ys[1] - ys[0] : map.map_step
        /// The placement whose beam centre lies nearest radiator point (x, y): offset = −R(φ)·(r − c).
        func placement(_ x: Double, _ y: Double) -> Int? {
            let dx = x - c.x, dy = y - c.y
            let ox = -(cs * dx - sn * dy), oy = -(sn * dx + cs * dy)
            let i = Int(((ox - xs[0]) / stepX).rounded()), j = Int(((oy - ys[0]) / stepY).rounded())
            guard i >= 0, j >= 0, i < xs.count, j < ys.count else { return nil }
            return j * xs.count + i
        }
        var values = [Double](repeating: .nan, count: g.count)
        var mask = [UInt8](repeating: 0, count: g.count)
        for row in 0..<g.rows {
            for column in 0..<g.columns {
                let k = g.index(column: column, row: row)
                switch view.mask[k] {
                case .mount: mask[k] = 2; continue
                case .nothing:
                    // Off the plate, a placement can still be allowed (the spot reaches the crystal): show it.
                    guard let p = placement(g.x(column: column), g.y(row: row)), let v = map.values[p] else { continue }
                    values[k] = v; mask[k] = 1
                    continue
                case .crystal: break
                }
                // Crystal: its edge drawn as the outline, inside the placement's value or why there is none.
                let edge = [(-1, 0), (1, 0), (0, -1), (0, 1)].contains { d in
                    let cc = column + d.0, rr = row + d.1
                    return cc < 0 || rr < 0 || cc >= g.columns || rr >= g.rows || view.mask[g.index(column: cc, row: rr)] != .crystal
                }
                if edge { mask[k] = 5; continue }
                guard let p = placement(g.x(column: column), g.y(row: row)) else { mask[k] = 4; continue }
                if let v = map.values[p] { values[k] = v; mask[k] = 1 } else { mask[k] = 3 }
            }
        }
        m.values = values
        m.mask = Data(mask)
        let fom = FigureOfMerit(rawValue: map.fom) ?? .peakPolarization
        m.zTitle = fom.title
        m.palette = chosenPalette(request, default: fom == .rmsTilt ? "bird" : "viridis")
        m.transparent = request.word("transparent") == "on"
        m.xTitle = "x on radiator (mm): where the beam centre sits"
        m.yTitle = "y on radiator (mm)"
        let goniometer = map.map_resnap == "on" ? "re-snapped \(map.gluex_plane ?? map.snap_action) at \(String(format: "%g", map.snap_edge)) GeV"
            : "goniometer fixed"
        m.title = ["Spot map: \(fom.title) — \(map.radiator_name) (\(map.radiator_view) view)",
                   "\(map.allowed_placements) of \(map.placements) placements allowed (hatched: < \(String(format: "%g", map.min_on_crystal)) on crystal or on the mount); \(goniometer)"]
        if let statement = spreadStatement(map) { m.title.append(statement) }
        // Honest colours: a spread of a fraction of a percent is not stretched over the whole palette.
        if request.word("map_scale") == "honest", let range = honestRange(map) { m.zMin = range.lowerBound; m.zMax = range.upperBound }
        // Best spots, numbered; the beam's current position.
        func radiatorPoint(_ ox: Double, _ oy: Double) -> (x: Double, y: Double) {
            // r = c − R(−φ)·offset
            (c.x - (cs * ox + sn * oy), c.y - (-sn * ox + cs * oy))
        }
        m.markers = map.best.enumerated().map { i, b in
            let r = radiatorPoint(b.rad_xoffset, b.rad_yoffset)
            return MarkerMessage(x: r.x, y: r.y, label: "\(i + 1)")
        }
        let beam = radiatorPoint(map.rad_xoffset, map.rad_yoffset)
        m.markers.append(MarkerMessage(x: beam.x, y: beam.y, label: "beam"))
        // The spot at the beam position (1σ), rotated into the radiator frame.
        let e = PlotRequests.spotEllipse(request.beamSpot, rotationDegrees: map.rad_phideg)
        m.ellipses = [EllipseMessage(cx: beam.x, cy: beam.y, sx: e.sx, sy: e.sy, rho: e.rho, sigmas: 1, colorRgb: 0xE74C3C)]
        m.widthPx = UInt32(request["size_px"])
        m.heightPx = UInt32(request["size_px"])
        return m
    }

    /// The honest colour range (`map_scale=honest`): at least `honestSpan` of the best value, ending at the best.
    public static let honestSpan = 0.1
    public static func honestRange(_ map: MapResponse) -> ClosedRange<Double>? {
        guard let best = map.value_best, let worst = map.value_worst else { return nil }
        let span = max(abs(best - worst), honestSpan * abs(best), 1e-12)
        return map.higher_is_better ? (best - span)...best : best...(best + span)
    }

    /// One sentence on how much the placement matters (page, PNG title, downloads).
    public static func spreadStatement(_ map: MapResponse) -> String? {
        guard let best = map.value_best, let worst = map.value_worst, let spread = map.spread_fraction else { return nil }
        let f = { (v: Double) in String(format: "%.4g", v) }
        let (low, high) = (min(worst, best), max(worst, best))
        let pct = String(format: "%.2g", spread * 100)
        if map.uniform == true {
            return "All \(map.allowed_placements) allowed placements are within \(pct) % of the best (\(f(low))–\(f(high))): the spot hardly matters here"
        }
        return "Allowed placements span \(f(low))–\(f(high)) (\(pct) % of the best); best spots ranked by the worst value within \(String(format: "%g", map.ebeam_jitter ?? 0)) mm of beam jitter"
    }
}
