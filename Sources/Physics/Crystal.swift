import Foundation

/// A radiator crystal: the diamond-lattice parameters the Kaune et al. model needs.
public struct Crystal: Sendable, Hashable {
    public let name: String
    /// Atomic number.
    public let atomicNumber: Double
    /// Atomic weight, amu.
    public let atomicWeight: Double
    /// Mass density, g/cm³.
    public let densityGramsPerCm3: Double
    /// Cubic lattice constant, m.
    public let latticeConstantMeters: Double
    /// Debye–Waller constant A in exp(-A q²), GeV⁻².
    public let debyeWallerPerGeV2: Double
    /// Rms mosaic spread, rad.
    public let mosaicSpreadRadians: Double
    /// |q(220)| the original tool's edge snapping uses, GeV (it rounds diamond's to 9.8e-6).
    public let snapMomentumTransferGeV: Double

    /// Sites of the conventional cubic cell: fcc plus the (¼,¼,¼) basis.
    public static let unitCellSites: [SIMD3<Double>] = [
        [0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0],
        [0.25, 0.25, 0.25], [0.25, 0.75, 0.75], [0.75, 0.25, 0.75], [0.75, 0.75, 0.25],
    ]

    public static let diamond = Crystal(
        name: "diamond", atomicNumber: 6, atomicWeight: 12.01, densityGramsPerCm3: 3.534,
        latticeConstantMeters: 3.5668e-10, debyeWallerPerGeV2: 0.40e9, mosaicSpreadRadians: 20e-6,
        snapMomentumTransferGeV: 9.8e-6)

    public static let silicon = Crystal(
        name: "silicon", atomicNumber: 14, atomicWeight: 28.09, densityGramsPerCm3: 2.320,
        latticeConstantMeters: 5.431e-10, debyeWallerPerGeV2: 1.5e9, mosaicSpreadRadians: 20e-6,
        snapMomentumTransferGeV: (8.0).squareRoot() * 2 * Double.pi * PhysicalConstants.hbarcGeVm / 5.431e-10)

    public static let all = [diamond, silicon]

    public static func named(_ name: String) -> Crystal? {
        all.first { $0.name == name }
    }

    /// Sites per conventional cell.
    public var sitesPerCell: Double { Double(Self.unitCellSites.count) }

    /// Reciprocal lattice unit 2πħc/a, GeV.
    public var reciprocalUnitGeV: Double {
        2 * Double.pi * PhysicalConstants.hbarcGeVm / latticeConstantMeters
    }

    /// Screening form-factor parameter β = 111 Z^(-1/3) / m_e, GeV⁻¹.
    public var formFactorBetaPerGeV: Double {
        111 * pow(atomicNumber, -1.0 / 3) / PhysicalConstants.electronMassGeV
    }

    /// ζ of Kaune et al.: the electron (vs nuclear) share of the screened cross section.
    public var zeta: Double {
        log(1440 * pow(atomicNumber, -2.0 / 3)) / log(183 * pow(atomicNumber, -1.0 / 3))
    }

    /// Schiff radiation length, m.
    public var radiationLengthMeters: Double {
        let z = atomicNumber, a = latticeConstantMeters
        let alpha = PhysicalConstants.alpha, me = PhysicalConstants.electronMassGeV
        let s = 4 * sitesPerCell * pow(alpha, 3) * pow(PhysicalConstants.hbarcGeVm / (a * me), 2) / a
            * z * (z + zeta) * log(183 * pow(z, -1.0 / 3))
        return 1 / s
    }

    /// |S(hkl)|², the squared structure factor of the 8-site cell.
    public static func structureFactorSquared(h: Int, k: Int, l: Int) -> Double {
        var re = 0.0, im = 0.0
        for site in unitCellSites {
            let phase = 2 * Double.pi * (Double(h) * site.x + Double(k) * site.y + Double(l) * site.z)
            re += cos(phase)
            im += sin(phase)
        }
        return re * re + im * im
    }
}
