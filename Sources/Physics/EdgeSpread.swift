import Foundation

/// The beam-energy spread where it matters: at the coherent edges.
///
/// A reflection with w = 2E q_z/m_e² reaches the bin at x only if w ≥ x/(1−x);
/// at a fixed photon energy k both sides move with the beam energy, so with a
/// Gaussian spread E = E₀(1+ε), ε ~ N(0, (σ/E₀)²), the one-bin cliff becomes
/// the probability that ε passes the threshold ε_t solving
/// (1+ε)(1−x₀+ε) = (1−x₀)·w*(x₀)/w (exactly, with x₀ = k/E₀).
/// Everything else in the spectrum varies smoothly with E and averages to its
/// value at E₀ up to O((σ/E)²) (≤ 1e-4 relative for σ/E ≤ 1 %, tested against
/// a brute-force average over many beam energies).
struct EdgeSpread: Sendable {
    /// σ/E₀.
    let relativeSpread: Double
    let x: [Double]
    /// w*(x_i) = x_i/(1−x_i).
    let thresholds: [Double]
    /// Per bin: σ of the relative offset w/w* − 1 that the spread produces, (σ/E)(2−x)/(1−x).
    let width: [Double]

    /// Beyond this many widths the probability is taken as exactly 0 or 1.
    static let reach = 9.0

    init(relativeSpread: Double, x: [Double]) {
        self.relativeSpread = relativeSpread
        self.x = x
        thresholds = x.map { $0 / (1 - $0) }
        width = x.map { relativeSpread * (2 - $0) / (1 - $0) }
    }

    /// Probability that a reflection of nominal w reaches bin i.
    @inline(__always)
    func probability(w: Double, bin i: Int) -> Double {
        let x0 = x[i], r = thresholds[i] / w
        let b = 2 - x0, c = (1 - x0) * (1 - r)
        let et = (-b + max(0, b * b - 4 * c).squareRoot()) / 2
        return 0.5 * erfc(et / (relativeSpread * 2.0.squareRoot()))
    }

    /// Calls body(bin, probability − sharp) for the bins around the cliff of a reflection
    /// at w, whose last sharply counted bin is `last` (thresholds at or below w).
    @inline(__always)
    func corrections(w: Double, nearBin last: Int, _ body: (Int, Double) -> Void) {
        var i = last + 1
        while i < x.count && w / thresholds[i] - 1 > -Self.reach * width[i] {
            body(i, probability(w: w, bin: i))
            i += 1
        }
        i = last
        while i >= 0 && w / thresholds[i] - 1 < Self.reach * width[i] {
            body(i, probability(w: w, bin: i) - 1)
            i -= 1
        }
    }
}
