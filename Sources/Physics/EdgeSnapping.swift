import Foundation

/// Which goniometer angle carries the small, edge-setting tilt: the original tool's snap buttons
/// (`snap_para`, `snap_perp`). Their names are not GlueX's: at θz = 0, `.para` radiates from the
/// vertical (0 2 2) planes and gives a vertical polarization plane, GlueX **PERP**; `.perp` gives
/// GlueX **PARA** (see `GlueXPlane`).
public enum PolarizationPlane: String, Sendable, CaseIterable {
    /// Small angle in θH, the ~50 mrad tip in θV (original `snap_para`; GlueX PERP at θz = 0).
    case para
    /// Small angle in θV, the tip in θH (original `snap_perp`; GlueX PARA at θz = 0).
    case perp
}

/// Orientation that puts the primary (220) coherent edge at a chosen energy,
/// with the original tool's formula and constants:
/// sin θ = (E·E_e·(1−β) − q²/2) / ((E − E_e)·q), then minus the mean tilt under the spot.
public enum EdgeSnapping {
    /// The tip angle of the other axis, mrad ("a good choice, not unique").
    public static let tipMilliradians = 50.0
    /// The original tool's electron mass for snapping (CODATA 2018), GeV.
    static let snapElectronMassGeV = 0.51099895e-3

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case edgeOutOfRange(edgeGeV: Double, beamEnergyGeV: Double)
        case unreachable(edgeGeV: Double)

        public var description: String {
            switch self {
            case let .edgeOutOfRange(edge, beam):
                return "snap_edge = \(edge) GeV is outside the allowed range: must lie between 0 and ebeam_energy (\(beam) GeV)"
            case let .unreachable(edge):
                return "snap_edge = \(edge) GeV cannot be reached by tilting the (220) planes at this beam energy"
            }
        }
    }

    /// The small angle θ, mrad, for a perfect crystal.
    public static func edgeAngleMilliradians(edgeGeV: Double, beamEnergyGeV: Double, crystal: Crystal = .diamond) throws(Failure) -> Double {
        guard edgeGeV > 0, edgeGeV < beamEnergyGeV else {
            throw .edgeOutOfRange(edgeGeV: edgeGeV, beamEnergyGeV: beamEnergyGeV)
        }
        let gamma = beamEnergyGeV / snapElectronMassGeV
        let oneMinusBeta = 1 / (gamma * gamma) / 2
        let q = crystal.snapMomentumTransferGeV
        let qSinTheta = (beamEnergyGeV * edgeGeV * oneMinusBeta - q * q / 2) / (beamEnergyGeV - edgeGeV)
        let s = qSinTheta / q
        guard s.isFinite, abs(s) <= 1 else { throw .unreachable(edgeGeV: edgeGeV) }
        return asin(s) * 1000
    }

    /// (rad_thetah, rad_thetav) in mrad that put the edge at `edgeGeV` on average
    /// over a spot whose intensity-weighted mean tilt is (meanH, meanV) mrad.
    ///
    /// With the crystal turned about the beam by `thetaZMilliradians` (θz is applied first, see
    /// `CrystalOrientation`), the same snap is turned with it: the beam direction relative to the
    /// crystal is the θz = 0 snap's, exactly, so every reflection's edge is where it was and the
    /// polarization plane is turned by θz (the GlueX 45/135 setups, θz = 45°). The spot's mean tilt is
    /// compensated along the small angle's turned direction. θz = 0 is the original tool's formula, bit for bit.
    public static func orientation(edgeGeV: Double, plane: PolarizationPlane, beamEnergyGeV: Double,
                                   meanTiltHMilliradians: Double = 0, meanTiltVMilliradians: Double = 0,
                                   thetaZMilliradians: Double = 0,
                                   crystal: Crystal = .diamond) throws(Failure) -> (thetaH: Double, thetaV: Double) {
        let theta = try edgeAngleMilliradians(edgeGeV: edgeGeV, beamEnergyGeV: beamEnergyGeV, crystal: crystal)
        guard thetaZMilliradians != 0 else {
            switch plane {
            case .para: return (theta - meanTiltHMilliradians, tipMilliradians)
            case .perp: return (tipMilliradians, theta - meanTiltVMilliradians)
            }
        }
        let unturned = plane == .para ? (h: theta, v: tipMilliradians) : (h: tipMilliradians, v: theta)
        let turned = turn(thetaH: unturned.h, thetaV: unturned.v, byMilliradians: thetaZMilliradians)
        // The small angle's direction in (θH, θV), turned by θz; the mean tilt's component along it is taken off.
        let z = thetaZMilliradians * 1e-3
        let small = plane == .para ? (h: cos(z), v: sin(z)) : (h: -sin(z), v: cos(z))
        let along = meanTiltHMilliradians * small.h + meanTiltVMilliradians * small.v
        return (turned.thetaH - along * small.h, turned.thetaV - along * small.v)
    }

    /// The goniometer angles (mrad) that give, after a turn of the crystal by θz about the beam, the beam
    /// direction relative to the crystal that (θH, θV) gave at θz = 0. The rotations are
    /// Rx(−θH)·Ry(−θV)·Rz(−θz): the beam seen from the θz-turned crystal is
    /// n = (−cos θH sin θV, sin θH, cos θH cos θV); its transverse part is turned by θz and the angles solved back.
    static func turn(thetaH: Double, thetaV: Double, byMilliradians thetaZ: Double) -> (thetaH: Double, thetaV: Double) {
        let h = thetaH * 1e-3, v = thetaV * 1e-3, z = thetaZ * 1e-3
        let nx = -cos(h) * sin(v), ny = sin(h)
        let tx = cos(z) * nx - sin(z) * ny, ty = sin(z) * nx + cos(z) * ny
        let newH = asin(ty)
        let newV = asin(-tx / cos(newH))
        return (newH * 1e3, newV * 1e3)
    }
}
