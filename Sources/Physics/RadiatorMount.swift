import Foundation

/// A material a radiator's mount (holder) can be made of.
public struct MountMaterial: Sendable, Hashable {
    public let name: String
    public let atomicNumber: Double
    /// Atomic weight, g/mol.
    public let atomicWeight: Double
    public let densityGramsPerCm3: Double

    public static let aluminium = MountMaterial(name: "aluminium", atomicNumber: 13, atomicWeight: 26.9815, densityGramsPerCm3: 2.699)
    public static let graphite = MountMaterial(name: "graphite", atomicNumber: 6, atomicWeight: 12.011, densityGramsPerCm3: 2.210)
    public static let copper = MountMaterial(name: "copper", atomicNumber: 29, atomicWeight: 63.546, densityGramsPerCm3: 8.960)
    public static let iron = MountMaterial(name: "iron", atomicNumber: 26, atomicWeight: 55.845, densityGramsPerCm3: 7.874)
    public static let tantalum = MountMaterial(name: "tantalum", atomicNumber: 73, atomicWeight: 180.948, densityGramsPerCm3: 16.654)

    public static let all = [aluminium, graphite, copper, iron, tantalum]

    public static func named(_ name: String) -> MountMaterial? { all.first { $0.name == name } }

    /// The built-in radiators' holder: 1 mm of aluminium (~1.1 % X₀, ~25× a 50 µm diamond).
    public static let defaultMaterial = aluminium
    public static let defaultThicknessMillimeters = 1.0

    /// Tsai's radiation logarithms (Rev. Mod. Phys. 46 (1974) 815, Table B.2 / eq. 3.67–3.68).
    var radiationLogarithms: (lRad: Double, lRadPrime: Double) {
        let z = atomicNumber
        switch Int(z) {
        case 1: return (5.31, 6.144)
        case 2: return (4.79, 5.621)
        case 3: return (4.74, 5.805)
        case 4: return (4.71, 5.924)
        default: return (log(184.15 * pow(z, -1.0 / 3)), log(1194 * pow(z, -2.0 / 3)))
        }
    }

    /// Coulomb correction f(Z) (Davies, Bethe and Maximon, as Tsai gives it).
    var coulombCorrection: Double {
        let a2 = pow(PhysicalConstants.alpha * atomicNumber, 2)
        return a2 * (1 / (1 + a2) + 0.20206 - 0.0369 * a2 + 0.0083 * a2 * a2 - 0.002 * a2 * a2 * a2)
    }

    /// Z²(L_rad − f) + Z L'_rad: the bracket of Tsai's radiation length.
    var tsaiBracket: Double {
        let z = atomicNumber, l = radiationLogarithms
        return z * z * (l.lRad - coulombCorrection) + z * l.lRadPrime
    }

    /// Radiation length, m (Tsai: 1/X₀ = 4α r_e² N_A/A · [Z²(L_rad − f) + Z L'_rad]).
    public var radiationLengthMeters: Double {
        let massLength = 716.408 * atomicWeight / tsaiBracket  // g/cm²
        return massLength / densityGramsPerCm3 * 1e-2
    }
}

/// A radiator's mount: what the part of the beam that misses the crystal but
/// hits the holder passes through.
public struct RadiatorMount: Sendable, Hashable {
    public var material: MountMaterial
    public var thicknessMeters: Double

    public init(material: MountMaterial, thicknessMeters: Double) {
        self.material = material
        self.thicknessMeters = thicknessMeters
    }

    /// Mean-square multiple-scattering angle of the electrons crossing it, rad².
    public func multipleScatteringVariance(beamEnergyGeV: Double) -> Double {
        MultipleScattering.geantVariance(atomicNumber: material.atomicNumber, atomicWeight: material.atomicWeight,
                                         densityGramsPerCm3: material.densityGramsPerCm3,
                                         thicknessMeters: thicknessMeters, beamEnergyGeV: beamEnergyGeV)
    }
}
