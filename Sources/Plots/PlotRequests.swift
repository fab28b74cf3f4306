import API
import Foundation
import Physics
import Topography
import Wire

/// Domain values → the plot-renderer's requests: what each of the five views
/// shows, with the headline numbers the original tool printed.
public enum PlotRequests {
    public enum SpectrumKind: String, Sendable { case intense, enhance, polar }

    static func sci(_ v: Double) -> String {
        guard v != 0, v.isFinite else { return "0" }
        let e = Int(log10(abs(v)).rounded(.down))
        if e >= -2 && e < 4 { return String(format: "%.3g", v) }
        let digits = Array("⁰¹²³⁴⁵⁶⁷⁸⁹")
        let sup = (e < 0 ? "⁻" : "") + String(abs(e)).map { digits[Int(String($0))!] }
        return String(format: "%.3f×10", v / pow(10, Double(e))) + sup
    }

    public static func spectrum(_ kind: SpectrumKind, _ s: Spectrum, request: SpotfinderRequest, radiatorName: String,
                                comparisons: [Spectrum] = [], comparisonLabels: [String] = [],
                                plane: PolarizationAzimuth? = nil) -> SpectrumPlotRequest {
        var p = SpectrumPlotRequest()
        p.xTitle = "photon energy (GeV)"
        p.windowMin = request["pbeam_energy_min"]
        p.windowMax = request["pbeam_energy_max"]
        p.widthPx = UInt32(request["size_px"])
        p.heightPx = UInt32(request["size_px"])
        p.yIncludesZero = true
        p.transparent = request.word("transparent") == "on"
        let where_ = "\(radiatorName), θH \(String(format: "%.4f", request["rad_thetah"])), θV \(String(format: "%.4f", request["rad_thetav"])) mrad"
        func mean(_ a: [Double]) -> Double { a.isEmpty ? 0 : a.reduce(0, +) / Double(a.count) }
        let blue: UInt32 = 0x1F4E9C, red: UInt32 = 0xC0392B, grey: UInt32 = 0x7F8C8D
        // Per view: what is plotted, and the headline numbers the original tool printed.
        let values: (Spectrum) -> [Double]
        let label: String, headline: String
        switch kind {
        case .intense:
            values = { $0.total }
            label = "total"
            p.title = ["Collimated photon intensity — \(where_)"]
            p.yTitle = "rate (photons/s/GeV)"
            headline = "peak \(sci(s.total.max() ?? 0)) /s/GeV, integral \(sci(s.totalRatePerSecond)) /s in [\(p.windowMin), \(p.windowMax)] GeV"
        case .enhance:
            values = { $0.enhancement }
            label = "enhancement"
            p.title = ["Coherent enhancement — \(where_)"]
            p.yTitle = "enhancement (total / incoherent)"
            let e = s.enhancement
            headline = "peak \(String(format: "%.3f", e.max() ?? 0)), average \(String(format: "%.3f", mean(e)))"
        case .polar:
            values = { $0.polarization }
            label = "polarization"
            p.title = ["Linear polarization — \(where_)"]
            p.yTitle = "linear polarization"
            let pol = s.polarization
            headline = "peak \(String(format: "%.4f", pol.max() ?? 0)), average \(String(format: "%.4f", mean(pol)))"
        }
        // Which plane the polarization is in, in GlueX's words (Hall D frame), so nobody has to guess.
        p.title.append(plane.map { "\(headline); polarization plane \($0.gluex.text)" } ?? headline)
        // What the flux depends on, so that a plot (and its file) cannot be mistaken for another collimator or current.
        p.title.insert(String(format: "E %g GeV, %g µA, collimator %g mm at %g m, %g µm ", request["ebeam_energy"],
                              request["ebeam_current"], request["collimator_diameter"], request["collimator_distance"],
                              request["rad_thickness"]) + request.word("rad_crystal") + String(format: ", θz %g mrad", request["rad_thetaz"]), at: 1)
        p.curves = [CurveMessage(label: label, x: s.energyGeV, y: values(s), colorRgb: blue)]
        if kind == .intense { p.curves.append(CurveMessage(label: "incoherent", x: s.energyGeV, y: s.incoherent, colorRgb: grey)) }
        // Pinned spectra: dashed, each in its own colour, numbered as the page lists them.
        let pinColours: [UInt32] = [red, 0x27AE60, 0x8E44AD, 0xD35400]
        for (i, c) in comparisons.enumerated() {
            let label = i < comparisonLabels.count ? comparisonLabels[i] : (comparisons.count == 1 ? "pinned" : "pin \(i + 1)")
            p.curves.append(CurveMessage(label: label, x: c.energyGeV, y: values(c),
                                         colorRgb: pinColours[i % pinColours.count], dashed: true))
        }
        return p
    }

    /// A title line when the beam is not essentially all on the crystal (< 99 % on it, or > 0.1 % on
    /// the mount): the rates are then scaled down, and a plot must say so.
    public static func beamWarning(_ t: TiltDistribution) -> String? {
        guard t.fractionOnCrystal < 0.99 || t.fractionOnMount > 0.001 else { return nil }
        return String(format: "WARNING: beam not all on the crystal: %.1f %% on crystal, %.1f %% on mount, %.1f %% outside",
                      t.fractionOnCrystal * 100, t.fractionOnMount * 100, t.fractionOutside * 100)
    }

    static func chosenPalette(_ request: SpotfinderRequest, default name: String) -> String {
        request.word("palette") == "default" ? name : request.word("palette")
    }

    /// The 2D tilt histogram with the mean marked and the beam fractions in the title.
    public static func tilt(_ t: TiltDistribution, request: SpotfinderRequest, radiatorName: String, view: ViewSide) -> MapPlotRequest {
        var m = MapPlotRequest()
        var summary = String(format: "beam on crystal %.4f, on mount %.4f; rms θH %.1f µrad, θV %.1f µrad",
                             t.fractionOnCrystal, t.fractionOnMount, t.rmsThetaHMilliradians * 1e3, t.rmsThetaVMilliradians * 1e3)
        if t.fractionOutsideHistogram > 0.001 {
            summary += String(format: "; %.1f %% beyond the range", t.fractionOutsideHistogram * 100)
        }
        m.title = ["Crystal tilt under the beam — \(radiatorName) (\(view.rawValue))", summary]
        m.xTitle = "horizontal tilt θH (mrad)"
        m.yTitle = "vertical tilt θV (mrad)"
        m.zTitle = "beam fraction per bin"
        m.grid = MapGridMessage(x0: t.thetaHMinMilliradians + t.binMilliradians / 2, y0: t.thetaVMinMilliradians + t.binMilliradians / 2,
                                dx: t.binMilliradians, dy: t.binMilliradians, columns: UInt32(t.bins), rows: UInt32(t.bins))
        m.values = t.weights.map { $0 > 0 ? $0 : .nan }
        m.zMin = 0
        m.palette = chosenPalette(request, default: "bird")
        m.transparent = request.word("transparent") == "on"
        m.markers = [MarkerMessage(x: t.meanThetaHMilliradians, y: t.meanThetaVMilliradians, label: "mean")]
        m.widthPx = UInt32(request["size_px"])
        m.heightPx = UInt32(request["size_px"])
        return m
    }

    public enum MapQuantity: String, Sendable, CaseIterable { case thetah, thetav, elevation }

    /// The topograph's values for the quantity shown, with the colour bar's title.
    static func mapValues(_ view: RadiatorView, _ quantity: MapQuantity) -> (values: [Double], title: String) {
        switch quantity {
        case .thetah: (view.thetaHMicroradians.map(Double.init), "θH tilt (µrad)")
        case .thetav: (view.thetaVMicroradians.map(Double.init), "θV tilt (µrad)")
        case .elevation: (ElevationMap.compute(view).map(Double.init), "elevation (nm)")
        }
    }

    /// The bare radiator picture for the page: one pixel per topograph pixel, the chosen quantity in colour, mount grey.
    public static func radiatorImage(view: RadiatorView, quantity: MapQuantity = .thetah) -> MapPlotRequest {
        var m = MapPlotRequest()
        let g = view.grid
        m.grid = MapGridMessage(x0: g.originXMillimeters, y0: g.originYMillimeters, dx: g.pixelMillimeters, dy: g.pixelMillimeters,
                                columns: UInt32(g.columns), rows: UInt32(g.rows))
        (m.values, m.zTitle) = mapValues(view, quantity)
        m.mask = Data(view.mask.map(\.rawValue))
        m.palette = "viridis"
        m.bare = true
        return m
    }

    /// ρ = σxy / (σx σy) of the rotated spot. A spot so narrow that a width underflows to 0 (σ = 1e-300 mm)
    /// is a line: ρ = 0 draws it; rounding can never push |ρ| to 1, where the ellipse is undefined.
    /// The beam spot's ellipse in the radiator frame (its covariance turned by −φ): rms widths and correlation.
    static func spotEllipse(_ spot: BeamSpot, rotationDegrees: Double) -> (sx: Double, sy: Double, rho: Double) {
        let phi = -rotationDegrees * Double.pi / 180
        let c = cos(phi), s = sin(phi)
        let sxx = spot.sigmaXMillimeters * spot.sigmaXMillimeters, syy = spot.sigmaYMillimeters * spot.sigmaYMillimeters
        let sxy = spot.correlation * spot.sigmaXMillimeters * spot.sigmaYMillimeters
        let rxx = c * c * sxx - 2 * c * s * sxy + s * s * syy
        let ryy = s * s * sxx + 2 * c * s * sxy + c * c * syy
        let rxy = c * s * (sxx - syy) + (c * c - s * s) * sxy
        let sx = max(0, rxx).squareRoot(), sy = max(0, ryy).squareRoot()
        return (sx, sy, correlation(rxy, sx, sy))
    }

    static func correlation(_ sxy: Double, _ sx: Double, _ sy: Double) -> Double {
        let rho = sxy / (sx * sy)
        guard rho.isFinite else { return 0 }
        return min(max(rho, -0.999_999_999), 0.999_999_999)
    }

    /// The topograph in the radiator's frame, with the beam spot (1σ, 2σ) drawn exactly where the tilt-service samples it.
    public static func spot(view: RadiatorView, tilt: TiltDistribution?, request: SpotfinderRequest, radiatorName: String) -> MapPlotRequest {
        var m = MapPlotRequest()
        let quantity = request.mapQuantity
        let g = view.grid
        m.grid = MapGridMessage(x0: g.originXMillimeters, y0: g.originYMillimeters, dx: g.pixelMillimeters, dy: g.pixelMillimeters,
                                columns: UInt32(g.columns), rows: UInt32(g.rows))
        (m.values, m.zTitle) = mapValues(view, quantity)
        m.mask = Data(view.mask.map(\.rawValue))
        m.palette = chosenPalette(request, default: "viridis")
        m.transparent = request.word("transparent") == "on"
        m.xTitle = "x on radiator (mm)"
        m.yTitle = "y on radiator (mm)"
        let fractions = tilt.map { String(format: "beam on crystal %.4f, on mount %.4f", $0.fractionOnCrystal, $0.fractionOnMount) } ?? ""
        m.title = ["Beam spot on \(radiatorName) (\(view.side.rawValue) view)", fractions]
        // The spot in the radiator frame: centre under the beam, covariance rotated by −φ.
        let placement = request.placement
        let centre = placement.radiatorPoint(labX: 0, labY: 0, centre: g.centre)
        let e = spotEllipse(request.beamSpot, rotationDegrees: placement.rotationDegrees)
        m.ellipses = [1.0, 2.0].map { EllipseMessage(cx: centre.x, cy: centre.y, sx: e.sx, sy: e.sy, rho: e.rho, sigmas: $0, colorRgb: 0xE74C3C) }
        m.markers = [MarkerMessage(x: centre.x, y: centre.y, label: "")]
        m.widthPx = UInt32(request["size_px"])
        m.heightPx = UInt32(request["size_px"])
        return m
    }
}

extension SpotfinderRequest {
    /// What a topograph picture shows (`map_quantity`, validated by the vocabulary; θH by default).
    public var mapQuantity: PlotRequests.MapQuantity { PlotRequests.MapQuantity(rawValue: word("map_quantity")) ?? .thetah }
}
