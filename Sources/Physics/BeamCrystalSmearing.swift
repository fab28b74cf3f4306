import Foundation

/// The reference's `applyBeamCrystalConvolution`: beam emittance ⊗ mosaic spread
/// ⊗ multiple scattering blur the x(θ) relation of each coherent peak (taken to
/// be a (220) peak). It is linear, so one precomputed matrix serves every
/// orientation and every average. The reference's own bin arithmetic
/// (spacing (x₁−x₀)/n, centres at (j+½)/n) is kept, so results match it.
public struct BeamCrystalSmearing: Sendable {
    private let count: Int
    /// Row-major kernel: smeared[i] = Σ_j kernel[i·n + j] · raw[j].
    private let kernel: [Double]

    public init(beamline: Beamline, x: [Double]) {
        let n = x.count
        count = n
        guard n > 0 else { kernel = []; return }
        let crystal = beamline.crystal
        let me = PhysicalConstants.electronMassGeV
        let var0 = pow(crystal.mosaicSpreadRadians, 2)
            + pow(beamline.emittanceMeterRadians / beamline.virtualSpotRmsMeters, 2)
        let varMS = beamline.multipleScatteringVariance
        let q220 = (8.0).squareRoot() * crystal.reciprocalUnitGeV
        let xfact = 2 * beamline.beamEnergyGeV * q220 / (me * me)
        let x0 = x[0], span = x[n - 1] - x[0]
        let useMS = varMS / var0 > 1e-4
        let sumVar = var0 + varMS
        func term(_ d: Double) -> Double {
            if useMS {
                return d / varMS * (erf(d / (2 * sumVar).squareRoot()) - erf(d / (2 * var0).squareRoot()))
                    + (2 / Double.pi).squareRoot() / varMS
                    * (exp(-d * d / (2 * sumVar)) * sumVar.squareRoot() - exp(-d * d / (2 * var0)) * var0.squareRoot())
            }
            return exp(-d * d / (2 * var0)) / (2 * Double.pi * var0).squareRoot()
        }
        var k = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            let xj = x0 + span * (Double(j) + 0.5) / Double(n)
            let scale = 1 / xfact / pow(1 - xj + 1e-99, 2)
            var norm = 0.0
            for i in 0..<n {
                let t = term(span * Double(j - i) / Double(n) * scale)
                k[i * n + j] = t
                norm += t
            }
            for i in 0..<n { k[i * n + j] /= norm }
        }
        kernel = k
    }

    /// The smeared copy of a coherent spectrum sampled on the same bins.
    public func apply(_ raw: [Double]) -> [Double] {
        precondition(raw.count == count, "smearing kernel built for \(count) bins, given \(raw.count)")
        var out = [Double](repeating: 0, count: count)
        kernel.withUnsafeBufferPointer { k in
            raw.withUnsafeBufferPointer { y in
                for i in 0..<count {
                    var s = 0.0
                    let row = i * count
                    for j in 0..<count { s += k[row + j] * y[j] }
                    out[i] = abs(s) > 1e-35 ? s : 0
                }
            }
        }
        return out
    }
}
