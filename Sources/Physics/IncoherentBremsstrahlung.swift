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
        let beta = crystal.formFactorBetaPerGeV
        let e = beamline.beamEnergyGeV
        let delta = 1.02
        let prefactor = 2 * crystal.sitesPerCell * beamline.radiatorThicknessMeters * z * (z + zeta)
            * pow(alpha, 3) * pow(PhysicalConstants.hbarcGeVm / (a * me), 2) / a
        let logCorrection = 2 * delta * z / (z + zeta)
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
                let opt = 1 + theta2
                let screening = 1 / (pow(me * x / (2 * e * (1 - x) + 1e-99), 2) + 1 / pow(beta * me * opt, 2))
                let shape = ((1 + pow(1 - x, 2)) - 4 * theta2 * (1 - x) / (opt * opt)) / (opt * opt)
                    * (log(screening) - logCorrection)
                    + 16 * theta2 * (1 - x) / pow(opt, 4) - pow(2 - x, 2) / (opt * opt)
                sum += prefactor / x * shape * acc / (Double(steps) * u * u)
            }
            return sum
        }
    }
}
