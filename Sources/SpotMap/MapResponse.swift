import API
import Foundation
import Physics
import Topography

/// The spot map's answer (GET /api/map, `spotfinder map`, Edge/ComputeMap): the names are
/// fixed for other tools. Arrays are row-major, y outer; `values` is null where a placement
/// is excluded (too little beam on the crystal or too much on the mount).
public struct MapResponse: Codable, Sendable, Equatable {
    public struct Best: Codable, Sendable, Equatable {
        public var rad_xoffset: Double
        public var rad_yoffset: Double
        public var value: Double
        public var fraction_on_crystal: Double
        public var rms_tilt_urad: Double
        public var rad_thetah: Double
        public var rad_thetav: Double
        /// The worst value within `ebeam_jitter` of this placement: what the ranking uses.
        public var robust_value: Double?
        /// Distance to the nearest excluded placement, mm (nil: none is excluded).
        public var margin_mm: Double?
        /// 1 for the best; entries within `RobustRanking.tieFraction` of the best share its rank (a tie).
        public var rank: Int?
        public var tied_with_best: Bool?
    }

    public var fom: String
    public var x_offsets_mm: [Double]
    public var y_offsets_mm: [Double]
    public var values: [Double?]
    public var fraction_on_crystal: [Double]
    public var rms_tilt_urad: [Double?]
    public var best: [Best]
    public var placements: Int
    public var seconds: Double
    // Context: what was computed and how.
    public var fraction_on_mount: [Double]
    public var allowed_placements: Int
    public var radiator_name: String
    public var radiator_view: String
    public var rad_phideg: Double
    /// The beam's current offsets (the request's rad_xoffset / rad_yoffset).
    public var rad_xoffset: Double
    public var rad_yoffset: Double
    public var map_step: Double
    public var map_resnap: String
    /// The plane re-snapped in (snap_para / snap_perp), or off.
    public var snap_action: String
    public var snap_edge: Double
    public var fom_window_min: Double
    public var fom_window_max: Double
    public var min_on_crystal: Double
    public var max_on_mount: Double
    public var higher_is_better: Bool
    public var units: [String: String]
    /// The spread of the figure of merit over the allowed placements: best and worst values and
    /// |best − worst| / |best|; `uniform` when that is within `RobustRanking.uniformFraction` (the choice hardly matters).
    public var value_best: Double?
    public var value_worst: Double?
    public var spread_fraction: Double?
    public var uniform: Bool?
    public var uniform_fraction: Double?
    public var tie_fraction: Double?
    /// The beam's expected position jitter (radius, mm) the ranking allows for, and per placement the worst
    /// value within it (null: not ranked, the jitter reaches an excluded placement).
    public var ebeam_jitter: Double?
    public var robust_values: [Double?]?
    /// θz, and the re-snapped plane in GlueX's words (nil for a fixed goniometer).
    public var rad_thetaz: Double?
    public var gluex_plane: String?
    /// The goniometer at each placement (re-snapped, or the fixed one), mrad.
    public var rad_thetah_mrad: [Double]?
    public var rad_thetav_mrad: [Double]?

    public init(plan: MapPlan, results: [PlacementResult], radiatorName: String, seconds: Double) {
        let r = plan.request
        fom = plan.fom.rawValue
        x_offsets_mm = plan.xOffsets
        y_offsets_mm = plan.yOffsets
        values = results.map { $0.allowed && $0.value.isFinite ? $0.value : nil }
        fraction_on_crystal = results.map(\.fractionOnCrystal)
        fraction_on_mount = results.map(\.fractionOnMount)
        rms_tilt_urad = results.map { $0.rmsTiltMicroradians.isFinite ? $0.rmsTiltMicroradians : nil }
        placements = results.count
        allowed_placements = results.filter(\.allowed).count
        self.seconds = seconds
        let spot = r.beamSpot
        let higher = plan.fom.higherIsBetter
        let jitter = r["ebeam_jitter"]
        let ranking = RobustRanking(values: results.map(\.value), allowed: results.map(\.allowed), xOffsets: plan.xOffsets,
                                    yOffsets: plan.yOffsets, jitter: jitter, higherIsBetter: higher)
        let picked = BestSpots.find(values: ranking.robust, allowed: ranking.robust.map(\.isFinite), columns: plan.ks.count,
                                    xOffsets: plan.xOffsets, yOffsets: plan.yOffsets, sigmaX: spot.sigmaXMillimeters,
                                    sigmaY: spot.sigmaYMillimeters, correlation: spot.correlation, higherIsBetter: higher)
        let nx = plan.ks.count
        let top = picked.first.map { ranking.robust[$0] }
        best = picked.enumerated().map { n, i in
            let p = results[i]
            let tied = top.map { abs(ranking.robust[i] - $0) <= RobustRanking.tieFraction * abs($0) } ?? false
            return Best(rad_xoffset: plan.xOffsets[i % nx], rad_yoffset: plan.yOffsets[i / nx], value: p.value,
                        fraction_on_crystal: p.fractionOnCrystal, rms_tilt_urad: p.rmsTiltMicroradians.isFinite ? p.rmsTiltMicroradians : 0,
                        rad_thetah: p.thetaH, rad_thetav: p.thetaV, robust_value: ranking.robust[i],
                        margin_mm: ranking.margin(i).isFinite ? ranking.margin(i) : nil, rank: tied ? 1 : n + 1, tied_with_best: tied)
        }
        let allowedValues = results.filter { $0.allowed && $0.value.isFinite }.map(\.value)
        if let hi = allowedValues.max(), let lo = allowedValues.min() {
            value_best = higher ? hi : lo
            value_worst = higher ? lo : hi
            let spread = abs(hi - lo) / max(abs(higher ? hi : lo), .leastNormalMagnitude)
            spread_fraction = spread
            uniform = spread <= RobustRanking.uniformFraction
        }
        uniform_fraction = RobustRanking.uniformFraction
        tie_fraction = RobustRanking.tieFraction
        ebeam_jitter = jitter
        robust_values = ranking.robust.map { $0.isFinite ? $0 : nil }
        rad_thetaz = r["rad_thetaz"]
        rad_thetah_mrad = results.map(\.thetaH)
        rad_thetav_mrad = results.map(\.thetaV)
        gluex_plane = plan.resnap.flatMap { GlueXPlane(beamViewDegrees: ($0 == .para ? 90 : 0) + r["rad_thetaz"] * 1e-3 * 180 / Double.pi).label }
        radiator_name = radiatorName
        radiator_view = r.viewSide.rawValue
        rad_phideg = r["rad_phideg"]
        rad_xoffset = r["rad_xoffset"]
        rad_yoffset = r["rad_yoffset"]
        map_step = plan.ks.count > 1 ? Double(plan.ks[1] - plan.ks[0]) * plan.step
            : (plan.ls.count > 1 ? Double(plan.ls[1] - plan.ls[0]) * plan.step : plan.step)
        map_resnap = plan.resnap == nil ? "off" : "on"
        snap_action = plan.resnap.map { $0 == .para ? "snap_para" : "snap_perp" } ?? "off"
        snap_edge = r["snap_edge"]
        fom_window_min = plan.windowMinGeV
        fom_window_max = plan.windowMaxGeV
        min_on_crystal = plan.minOnCrystal
        max_on_mount = MapPlan.maxOnMount
        higher_is_better = plan.fom.higherIsBetter
        units = ["x_offsets_mm": "mm", "y_offsets_mm": "mm", "rms_tilt_urad": "µrad", "rad_thetah": "mrad", "rad_thetav": "mrad",
                 "values": Self.unit(plan.fom), "seconds": "s", "fom_window_min": "GeV", "fom_window_max": "GeV"]
    }

    static func unit(_ fom: FigureOfMerit) -> String {
        switch fom {
        case .peakPolarization, .windowPolarization, .fractionOnCrystal: return "fraction"
        case .p2n, .windowFlux: return "photons/s"
        case .rmsTilt: return "µrad"
        }
    }
}

/// A whole map computed in this process (CLI, edge without nodes, tests).
public enum LocalMap {
    public static func compute(request: SpotfinderRequest, view: RadiatorView, radiatorName: String, model: SpectrumModel?,
                               threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(ParameterError) -> MapResponse {
        let start = DispatchTime.now().uptimeNanoseconds
        let plan = try MapPlan(request: request, view: view)
        let engine = MapEngine(plan: plan, view: view, model: plan.fom.needsSpectrum ? model : nil)
        let results = engine.compute(Array(0..<plan.placements), threads: threads)!  // nothing stops it
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return MapResponse(plan: plan, results: results, radiatorName: radiatorName, seconds: seconds)
    }
}
