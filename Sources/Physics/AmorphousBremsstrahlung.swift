import Foundation

/// Bremsstrahlung of an amorphous slab (the radiator's mount) in the complete-
/// screening limit (Tsai, Rev. Mod. Phys. 46 (1974) 815, eq. 3.83):
///
///     dN/dx = (t/X₀)/x · [(4/3 − 4x/3 + x²) + (1 − x)(Z² + Z) / (9 [Z²(L_rad − f) + Z L'_rad])]
///
/// per electron, x = k/E, thin slab. Collimated, it is multiplied by the
/// fraction of its photons the collimator accepts at x: the angular
/// distribution is the screened Schiff-type integrand the crystal's
/// incoherent part uses (at the mount's Z), folded with the same collimator
/// acceptance but the mount's own multiple scattering.
enum AmorphousBremsstrahlung {
    /// Uncollimated dN/dx per electron.
    static func uncollimatedDNdx(x: Double, mount: RadiatorMount) -> Double {
        guard x > 0, x < 1 else { return 0 }
        let m = mount.material
        let z = m.atomicNumber
        let shape = 4.0 / 3 - 4 * x / 3 + x * x + (1 - x) * (z * z + z) / (9 * m.tsaiBracket)
        return mount.thicknessMeters / m.radiationLengthMeters * shape / x
    }

    /// dN/dx per electron on the mount at each x, collimated or not according to `acceptance`.
    static func dNdx(x: [Double], mount: RadiatorMount, beamEnergyGeV: Double, acceptance: CollimatorAcceptance) -> [Double] {
        x.map { x in
            let all = uncollimatedDNdx(x: x, mount: mount)
            guard all > 0 else { return 0 }
            return all * acceptedFraction(x: x, atomicNumber: mount.material.atomicNumber, beamEnergyGeV: beamEnergyGeV,
                                          acceptance: acceptance)
        }
    }

    /// Share of the photons at x inside the acceptance, with the reference's
    /// 50-point rule over u = 1/(1+θ²).
    static func acceptedFraction(x: Double, atomicNumber: Double, beamEnergyGeV: Double,
                                 acceptance: CollimatorAcceptance) -> Double {
        let steps = 50
        var accepted = 0.0, all = 0.0
        for i in 0..<steps {
            let u = (Double(i) + 0.5) / Double(steps)
            let theta2 = (1 - u) / u
            let density = IncoherentBremsstrahlung.angularShape(x: x, theta2: theta2, atomicNumber: atomicNumber,
                                                                beamEnergyGeV: beamEnergyGeV) / (u * u)
            all += density
            accepted += density * acceptance.acceptance(theta2: theta2)
        }
        return all > 0 ? min(1, max(0, accepted / all)) : 0
    }
}
