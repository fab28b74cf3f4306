import Foundation

/// Which goniometer angle carries the small, edge-setting tilt.
public enum PolarizationPlane: String, Sendable, CaseIterable {
    /// Small angle in θH, the ~50 mrad tip in θV.
    case para
    /// Small angle in θV, the tip in θH.
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
    public static func orientation(edgeGeV: Double, plane: PolarizationPlane, beamEnergyGeV: Double,
                                   meanTiltHMilliradians: Double = 0, meanTiltVMilliradians: Double = 0,
                                   crystal: Crystal = .diamond) throws(Failure) -> (thetaH: Double, thetaV: Double) {
        let theta = try edgeAngleMilliradians(edgeGeV: edgeGeV, beamEnergyGeV: beamEnergyGeV, crystal: crystal)
        switch plane {
        case .para: return (theta - meanTiltHMilliradians, tipMilliradians)
        case .perp: return (tipMilliradians, theta - meanTiltVMilliradians)
        }
    }
}
