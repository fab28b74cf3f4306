import Foundation

/// One reciprocal lattice vector g = (h,k,l) with a non-zero structure factor,
/// with the parts of its coherent weight that do not depend on orientation.
public struct Reflection: Sendable {
    public let hkl: SIMD3<Double>
    /// |q|², GeV² (rotation invariant).
    public let q2: Double
    /// σ₀ |S|² (F β²)² exp(−A q²): the coherent weight per unit q_T².
    public let weightPerQT2: Double
}

/// The reciprocal lattice vectors the reference sums over: h ∈ [−4, 4], k, l ∈ [−10, 10].
public struct ReciprocalLattice: Sendable {
    public let reflections: [Reflection]
    /// 2πħc/a, GeV.
    public let unitGeV: Double

    public init(crystal: Crystal, beamEnergyGeV: Double, thicknessMeters: Double) {
        let z = crystal.atomicNumber, a = crystal.latticeConstantMeters
        let alpha = PhysicalConstants.alpha, me = PhysicalConstants.electronMassGeV
        let hbarc = PhysicalConstants.hbarcGeVm
        // Kaune et al. normalisation of the coherent cross section per unit x.
        let sigma0 = 16 * Double.pi * thicknessMeters * z * z * pow(alpha, 3) * beamEnergyGeV
            * hbarc / (a * a) * pow(hbarc / (a * me), 4)
        let beta2 = pow(crystal.formFactorBetaPerGeV, 2)
        unitGeV = crystal.reciprocalUnitGeV
        var list: [Reflection] = []
        for h in -4...4 {
            for k in -10...10 {
                for l in -10...10 {
                    let s2 = Crystal.structureFactorSquared(h: h, k: k, l: l)
                    if s2 < 1e-4 { continue }
                    let hkl = SIMD3<Double>(Double(h), Double(k), Double(l))
                    let q2 = (hkl * hkl).sum() * unitGeV * unitGeV
                    let formFactor = 1 / (1 + q2 * beta2)
                    let weight = sigma0 * s2 * pow(formFactor * beta2, 2) * exp(-q2 * crystal.debyeWallerPerGeV2)
                    list.append(Reflection(hkl: hkl, q2: q2, weightPerQT2: weight))
                }
            }
        }
        reflections = list
    }
}
