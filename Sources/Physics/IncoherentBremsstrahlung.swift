import Foundation

/// Incoherent (amorphous-like) bremsstrahlung from the crystal: the screened
/// Schiff-type cross section of Kaune et al., integrated over production angle
/// with the collimator acceptance. It does not depend on orientation.
enum IncoherentBremsstrahlung {
    /// dN/dx at each x, collimated or not according to `acceptance`.
    static func dNdx(x: [Double], beamline: Beamline, acceptance: CollimatorAcceptance) -> [Double] {
        let crystal = beamline.crystal
        let z = crystal.atomicNumber, a = crystal.latticeConstantMeters, zeta = crystal.zeta
        let me = PhysicalConstants.electronMassGeV, alpha = PhysicalConstants.alpha
        let e = beamline.beamEnergyGeV
        let prefactor = 2 * crystal.sitesPerCell * beamline.radiatorThicknessMeters * z * (z + zeta)
            * pow(alpha, 3) * pow(PhysicalConstants.hbarcGeVm / (a * me), 2) / a
        // ∫ dθ² over [0, ∞) mapped onto u = 1/(1+θ²), 50-point midpoint rule as in the reference.
        let steps = 50
        return x.map { x in
            if x > 1 { return 0 }
            var sum = 0.0
            for i in 0..<steps {
                let u = (Double(i) + 0.5) / Double(steps)
                let theta2 = (1 - u) / u
                let acc = acceptance.acceptance(theta2: theta2)
                if acc == 0 { continue }
                let shape = angularShape(x: x, theta2: theta2, atomicNumber: z, beamEnergyGeV: e)
                sum += prefactor / x * shape * acc / (Double(steps) * u * u)
            }
            return sum
        }
    }

    /// The integrand in θ² (units of (m_e/E)²) at x, without its normalisation:
    /// screening by the form factor β = 111 Z^(-1/3)/m_e, Kaune's ζ(Z) correction.
    @inline(__always)
    static func angularShape(x: Double, theta2: Double, atomicNumber z: Double, beamEnergyGeV e: Double) -> Double {
        let me = PhysicalConstants.electronMassGeV
        let beta = 111 * pow(z, -1.0 / 3) / me
        let zeta = log(1440 * pow(z, -2.0 / 3)) / log(183 * pow(z, -1.0 / 3))
        let delta = 1.02
        let logCorrection = 2 * delta * z / (z + zeta)
        let opt = 1 + theta2
        let screening = 1 / (pow(me * x / (2 * e * (1 - x) + 1e-99), 2) + 1 / pow(beta * me * opt, 2))
        return ((1 + pow(1 - x, 2)) - 4 * theta2 * (1 - x) / (opt * opt)) / (opt * opt)
            * (log(screening) - logCorrection)
            + 16 * theta2 * (1 - x) / pow(opt, 4) - pow(2 - x, 2) / (opt * opt)
    }
}
