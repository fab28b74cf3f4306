import Foundation

/// Everything about the beam, radiator and collimator that fixes the spectrum
/// shape apart from the crystal orientation. SI units inside, named in the field.
public struct Beamline: Sendable, Hashable {
    public var beamEnergyGeV: Double
    public var beamCurrentMicroamps: Double
    /// Rms beam energy spread, GeV: spectra are averaged over a Gaussian of this width
    /// (`BeamEnergySpread`). The reference model ignores it; 0 reproduces it exactly.
    public var beamEnergySpreadGeV: Double
    public var emittanceMeterRadians: Double
    /// Rms size of the virtual electron-beam spot at the collimator, m.
    public var virtualSpotRmsMeters: Double
    public var collimatorDistanceMeters: Double
    public var collimatorDiameterMeters: Double
    public var radiatorThicknessMeters: Double
    public var crystal: Crystal
    /// False gives the uncollimated (all-angle) rates.
    public var collimated: Bool
    /// The radiator's mount (holder), whose amorphous bremsstrahlung is added for the
    /// part of the beam that hits it; nil: no mount spectrum is computed.
    public var mount: RadiatorMount?

    public init(beamEnergyGeV: Double = 11.6, beamCurrentMicroamps: Double = 2.2,
                beamEnergySpreadGeV: Double = 0, emittanceMeterRadians: Double = 4.2e-9,
                virtualSpotRmsMeters: Double = 0.5e-3, collimatorDistanceMeters: Double = 76,
                collimatorDiameterMeters: Double = 3.4e-3, radiatorThicknessMeters: Double = 50e-6,
                crystal: Crystal = .diamond, collimated: Bool = true, mount: RadiatorMount? = nil) {
        self.beamEnergyGeV = beamEnergyGeV
        self.beamCurrentMicroamps = beamCurrentMicroamps
        self.beamEnergySpreadGeV = beamEnergySpreadGeV
        self.emittanceMeterRadians = emittanceMeterRadians
        self.virtualSpotRmsMeters = virtualSpotRmsMeters
        self.collimatorDistanceMeters = collimatorDistanceMeters
        self.collimatorDiameterMeters = collimatorDiameterMeters
        self.radiatorThicknessMeters = radiatorThicknessMeters
        self.crystal = crystal
        self.collimated = collimated
        self.mount = mount
    }

    /// m_e/E: the natural unit of production angle, rad.
    public var characteristicAngleRadians: Double { PhysicalConstants.electronMassGeV / beamEnergyGeV }

    /// Factor turning dN/dx into photons/s/GeV at this beam current.
    public var ratePerGeVPerDNdx: Double {
        beamCurrentMicroamps / (PhysicalConstants.microampereElectronsPerSecondDivisor * beamEnergyGeV)
    }

    /// Mean-square multiple-scattering angle of the electrons in the radiator, rad²:
    /// the Moliere-based Geant3 formula the reference uses (with F = 0.98; the
    /// reference divides by 12, carbon's atomic weight, for every crystal).
    public var multipleScatteringVariance: Double {
        MultipleScattering.geantVariance(atomicNumber: crystal.atomicNumber, atomicWeight: 12,
                                         densityGramsPerCm3: crystal.densityGramsPerCm3,
                                         thicknessMeters: radiatorThicknessMeters, beamEnergyGeV: beamEnergyGeV)
    }
}

/// Multiple scattering of the electrons in a slab.
public enum MultipleScattering {
    /// Mean-square scattering angle, rad², from the Geant3 (Moliere) formula with F = 0.98.
    public static func geantVariance(atomicNumber z: Double, atomicWeight a: Double, densityGramsPerCm3: Double,
                                     thicknessMeters: Double, beamEnergyGeV e: Double) -> Double {
        let bohrRadius = 0.52917721e-10
        let f = 0.98
        let alpha = PhysicalConstants.alpha
        let chi2cc = pow(0.39612e-2, 2) * z * (z + 1) * densityGramsPerCm3 / a
        let chi2c = chi2cc * thicknessMeters / (e * e)
        let chi2alpha = 1.13 * pow(PhysicalConstants.hbarcGeVm / (e * bohrRadius * 0.885), 2)
            * pow(z, 2.0 / 3) * (1 + 3.34 * pow(alpha * z, 2))
        let omega0 = chi2c / (1.167 * chi2alpha)
        let gnu = omega0 / (2 * (1 - f))
        return abs(chi2c / (1 + f * f) * ((1 + gnu) / gnu * log(1 + gnu) - 1))
    }
}
