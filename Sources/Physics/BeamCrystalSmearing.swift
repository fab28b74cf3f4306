import Foundation

/// The reference's `applyBeamCrystalConvolution`: beam emittance ⊗ mosaic spread
/// ⊗ multiple scattering blur the x(θ) relation of each coherent peak (taken to
/// be a (220) peak). It is linear, so one precomputed matrix serves every
/// orientation and every average. The reference's own bin arithmetic
/// (spacing (x₁−x₀)/n, centres at (j+½)/n) is kept, so results match it.
public struct BeamCrystalSmearing: Sendable {
    private let count: Int
    /// Per source bin j, the band of target bins it spreads into: smeared[first_j + k] += weights_j[k] · raw[j].
    /// Terms below 1e-16 of a column's largest are dropped, so memory grows with the band, not with bins².
    private let first: [Int]
    private let weights: [[Double]]

    public init(beamline: Beamline, x: [Double]) {
        let n = x.count
        count = n
        guard n > 0 else { first = []; weights = []; return }
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
        var first = [Int](repeating: 0, count: n), weights = [[Double]](repeating: [], count: n)
        var column = [Double](repeating: 0, count: n)
        for j in 0..<n {
            let xj = x0 + span * (Double(j) + 0.5) / Double(n)
            let scale = 1 / xfact / pow(1 - xj + 1e-99, 2)
            var norm = 0.0, largest = 0.0
            for i in 0..<n {
                let t = term(span * Double(j - i) / Double(n) * scale)
                column[i] = t
                norm += t
                largest = max(largest, abs(t))
            }
            let cut = 1e-16 * largest
            let lo = column.firstIndex { abs($0) > cut } ?? j, hi = column.lastIndex { abs($0) > cut } ?? j
            first[j] = lo
            weights[j] = column[lo...hi].map { $0 / norm }
        }
        self.first = first
        self.weights = weights
    }

    /// The smeared copy of a coherent spectrum sampled on the same bins.
    public func apply(_ raw: [Double]) -> [Double] {
        precondition(raw.count == count, "smearing kernel built for \(count) bins, given \(raw.count)")
        var out = [Double](repeating: 0, count: count)
        for j in 0..<count where raw[j] != 0 {
            let y = raw[j], lo = first[j]
            for (k, w) in weights[j].enumerated() { out[lo + k] += w * y }
        }
        return out.map { abs($0) > 1e-35 ? $0 : 0 }
    }
}
