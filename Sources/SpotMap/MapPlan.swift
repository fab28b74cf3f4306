import API
import Foundation
import Physics
import Topography

/// A validated spot-map request: which figure of merit, which placements, which
/// constraints, and how the goniometer follows the beam.
///
/// Placements are radiator offsets on a regular grid whose offsets are whole multiples
/// of the spot's sampling step (`ebeam_xyresol`), so every placement samples the same
/// lattice of topograph points (see `SpotLattice`) and gets exactly the numbers of the
/// single-placement answer at that offset.
public struct MapPlan: Sendable {
    public let request: SpotfinderRequest
    public let fom: FigureOfMerit
    /// The plane the goniometer is re-snapped in at every placement; nil: `map_resnap=off`.
    public let resnap: PolarizationPlane?
    public let minOnCrystal: Double
    /// Tagging window, GeV.
    public let windowMinGeV: Double, windowMaxGeV: Double
    /// The lattice step (`ebeam_xyresol`), mm.
    public let step: Double
    /// Placement offsets = step · k (x) and step · l (y).
    public let ks: [Int]
    public let ls: [Int]

    /// Placements with more than this fraction of the beam on the mount are excluded.
    public static let maxOnMount = 0.001
    public static let maxPlacementsPerAxis = 201
    public static let defaultPlacementsPerAxis = 41

    public var xOffsets: [Double] { ks.map { Double($0) * step } }
    public var yOffsets: [Double] { ls.map { Double($0) * step } }
    public var placements: Int { ks.count * ls.count }

    public init(request: SpotfinderRequest, view: RadiatorView) throws(ParameterError) {
        self.request = request
        fom = FigureOfMerit(rawValue: request.word("fom")) ?? .peakPolarization
        minOnCrystal = request["min_on_crystal"]
        step = request["ebeam_xyresol"]
        let phi = request["rad_phideg"]

        // The goniometer: re-snapped per placement in snap_action's plane, or (snap_action=off)
        // in the plane the current setting is in (the ~50 mrad tip in θV: para).
        if request.word("map_resnap") == "on" {
            let plane = request.snapPlane ?? (abs(request["rad_thetav"]) >= abs(request["rad_thetah"]) ? .para : .perp)
            let edge = request["snap_edge"]
            guard edge < request["ebeam_energy"] else {
                throw ParameterError(parameter: "snap_edge", message: "snap_edge = \(edge) GeV is past the beam energy: must be in (0, \(request["ebeam_energy"])) GeV (map_resnap=on snaps at every placement)")
            }
            do { _ = try EdgeSnapping.edgeAngleMilliradians(edgeGeV: edge, beamEnergyGeV: request["ebeam_energy"], crystal: request.crystal) } catch {
                throw ParameterError(parameter: "snap_edge", message: error.description)
            }
            resnap = plane
        } else {
            resnap = nil
        }

        // Tagging window (window FOMs): default the 0.6 GeV just below the edge.
        let edge = request["snap_edge"]
        let lo = request.optional("fom_window_min") ?? max(edge - 0.6, 1e-3)
        let hi = request.optional("fom_window_max") ?? edge
        guard lo < hi else {
            throw ParameterError(parameter: "fom_window_min", message: "fom_window_min = \(lo) GeV must be below fom_window_max = \(hi) GeV")
        }
        if [.windowPolarization, .p2n, .windowFlux].contains(fom) {
            let pmin = request["pbeam_energy_min"], pmax = request["pbeam_energy_max"]
            guard lo >= pmin else {
                throw ParameterError(parameter: "fom_window_min", message: "fom_window_min = \(lo) GeV is outside the photon window: must be in [\(pmin), \(pmax)] GeV (pbeam_energy_min … pbeam_energy_max)")
            }
            guard hi <= pmax else {
                throw ParameterError(parameter: "fom_window_max", message: "fom_window_max = \(hi) GeV is outside the photon window: must be in [\(pmin), \(pmax)] GeV (pbeam_energy_min … pbeam_energy_max)")
            }
        }
        windowMinGeV = lo
        windowMaxGeV = hi

        // The lattice the placements share must stay a sensible size.
        let bounds = SpotLattice.latticeBounds(view: view, rotationDegrees: phi, step: step)
        let latticePoints = Double(bounds.m.count) * Double(bounds.n.count)
        guard latticePoints <= Double(SpotLattice.maxLatticePoints) else {
            let smallest = step * (latticePoints / Double(SpotLattice.maxLatticePoints)).squareRoot()
            throw ParameterError(parameter: "ebeam_xyresol", message: String(format: "ebeam_xyresol = %g mm samples this radiator at %.0f points for the map: must be at least %.3g mm (at most %d points)", step, latticePoints, smallest, SpotLattice.maxLatticePoints))
        }

        // Extent: by default every offset that puts the beam centre over the crystal.
        let crystal = Self.crystalOffsetBox(view: view, rotationDegrees: phi)
        let xmin = request.optional("map_xmin") ?? crystal.x.lowerBound, xmax = request.optional("map_xmax") ?? crystal.x.upperBound
        let ymin = request.optional("map_ymin") ?? crystal.y.lowerBound, ymax = request.optional("map_ymax") ?? crystal.y.upperBound
        guard xmin <= xmax else {
            throw ParameterError(parameter: "map_xmin", message: "map_xmin = \(Self.mm(xmin)) mm must not exceed map_xmax = \(Self.mm(xmax)) mm")
        }
        guard ymin <= ymax else {
            throw ParameterError(parameter: "map_ymin", message: "map_ymin = \(Self.mm(ymin)) mm must not exceed map_ymax = \(Self.mm(ymax)) mm")
        }
        let kLo = Int((xmin / step).rounded()), kHi = max(kLo, Int((xmax / step).rounded()))
        let lLo = Int((ymin / step).rounded()), lHi = max(lLo, Int((ymax / step).rounded()))
        let units: Int
        if let given = request.optional("map_step") {
            guard given >= step / 2 else {
                throw ParameterError(parameter: "map_step", message: "map_step = \(given) mm is finer than the spot sampling: must be at least ebeam_xyresol = \(step) mm")
            }
            units = max(1, Int((given / step).rounded()))
        } else {
            let span = max(kHi - kLo, lHi - lLo)
            units = max(1, Int((Double(span) / Double(Self.defaultPlacementsPerAxis - 1)).rounded()))
        }
        // A default start sits on the step's own grid (round offsets); a given one is kept.
        var kStart = kLo, lStart = lLo
        if request.optional("map_xmin") == nil { kStart = Int((Double(kLo) / Double(units)).rounded(.down)) * units }
        if request.optional("map_ymin") == nil { lStart = Int((Double(lLo) / Double(units)).rounded(.down)) * units }
        let nx = (kHi - kStart) / units + 1, ny = (lHi - lStart) / units + 1
        guard nx <= Self.maxPlacementsPerAxis, ny <= Self.maxPlacementsPerAxis else {
            let smallest = Double(max(kHi - kLo, lHi - lLo)) * step / Double(Self.maxPlacementsPerAxis - 1)
            throw ParameterError(parameter: "map_step", message: String(format: "map_step = %g mm makes %d × %d placements: must be at least %.4g mm for this extent (at most %d × %d)", Double(units) * step, nx, ny, smallest, Self.maxPlacementsPerAxis, Self.maxPlacementsPerAxis))
        }
        ks = (0..<nx).map { kStart + $0 * units }
        ls = (0..<ny).map { lStart + $0 * units }
        // The robust ranking looks at every placement within the beam's jitter: a bounded neighbourhood.
        let jitter = request["ebeam_jitter"], mapStep = Double(units) * step
        guard jitter <= Double(RobustRanking.maxJitterSteps) * mapStep * (1 + 1e-9) else {
            throw ParameterError(parameter: "ebeam_jitter", message: String(format: "ebeam_jitter = %g mm spans more than %d placements at map_step = %g mm: must be at most %g mm, or use a larger map_step (at least %g mm)", jitter, RobustRanking.maxJitterSteps, mapStep, Double(RobustRanking.maxJitterSteps) * mapStep, jitter / Double(RobustRanking.maxJitterSteps)))
        }
    }

    static func mm(_ v: Double) -> String { String(format: "%g", v) }

    /// Offsets (rad_xoffset, rad_yoffset) that put the beam centre over a crystal pixel: the
    /// beam at the lab origin lies over r = c − R(−φ)·offset, so offset = −R(φ)·(r − c).
    public static func crystalOffsetBox(view: RadiatorView, rotationDegrees: Double) -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let g = view.grid, c = g.centre
        let phi = rotationDegrees * Double.pi / 180
        let cs = cos(phi), sn = sin(phi)
        var xLo = Double.infinity, xHi = -Double.infinity, yLo = Double.infinity, yHi = -Double.infinity
        for row in 0..<g.rows {
            for column in 0..<g.columns where view.mask[g.index(column: column, row: row)] == .crystal {
                let dx = g.x(column: column) - c.x, dy = g.y(row: row) - c.y
                let ox = -(cs * dx - sn * dy), oy = -(sn * dx + cs * dy)
                xLo = min(xLo, ox); xHi = max(xHi, ox); yLo = min(yLo, oy); yHi = max(yHi, oy)
            }
        }
        guard xLo <= xHi else { return (0...0, 0...0) }
        return (max(-50, xLo)...min(50, xHi), max(-50, yLo)...min(50, yHi))
    }

    /// The goniometer at a placement whose spot has this mean tilt (mrad): re-snapped, or the request's.
    public func orientation(meanThetaH: Double, meanThetaV: Double) -> CrystalOrientation {
        guard let plane = resnap,
              let o = try? EdgeSnapping.orientation(edgeGeV: request["snap_edge"], plane: plane, beamEnergyGeV: request["ebeam_energy"],
                                                    meanTiltHMilliradians: meanThetaH, meanTiltVMilliradians: meanThetaV,
                                                    thetaZMilliradians: request["rad_thetaz"], crystal: request.crystal) else { return request.orientation }
        return CrystalOrientation(thetaHMilliradians: o.thetaH, thetaVMilliradians: o.thetaV, thetaZMilliradians: request["rad_thetaz"])
    }

    /// Whether a placement may be ranked.
    public func allows(fractionOnCrystal: Double, fractionOnMount: Double) -> Bool {
        fractionOnCrystal > 0 && fractionOnCrystal >= minOnCrystal && fractionOnMount <= Self.maxOnMount
    }
}
