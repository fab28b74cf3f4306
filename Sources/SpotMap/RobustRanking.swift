import Foundation

/// Ranking that does not reward noise (issue #21 item 3): a placement is worth the **worst** value the
/// beam meets while it wanders within its expected position jitter (`ebeam_jitter`, a radius in mm)
/// around it; a placement whose jitter circle reaches an excluded placement (too little beam on the
/// crystal, or some on the mount) is not ranked at all, since the beam would drift off the crystal.
/// `margin` is how far a placement is from the nearest excluded one, so an operator sees the room left.
public struct RobustRanking: Sendable {
    /// Best spots whose robust values are within this fraction of the best one's are ties: the map cannot
    /// tell them apart (the spectrum's energy bins alone move a peak polarization by ~0.3 %).
    public static let tieFraction = 0.002
    /// When every allowed placement is within this fraction of the best value, the map says the choice hardly matters.
    public static let uniformFraction = 0.01

    /// Largest jitter radius in map steps: the neighbourhood (≤ 41 × 41 placements) times a 201 × 201 map
    /// stays a fraction of a second; beyond it the request is refused (MapPlan), never silently cut.
    public static let maxJitterSteps = 20

    /// Per placement: the worst value within the jitter radius (NaN: not ranked).
    public let robust: [Double]
    let excluded: [Int]
    let xOffsets: [Double], yOffsets: [Double]

    public init(values: [Double], allowed: [Bool], xOffsets: [Double], yOffsets: [Double], jitter: Double, higherIsBetter: Bool) {
        let nx = xOffsets.count, ny = yOffsets.count
        let dx = nx > 1 ? abs(xOffsets[1] - xOffsets[0]) : .infinity, dy = ny > 1 ? abs(yOffsets[1] - yOffsets[0]) : .infinity
        // Neighbours within the jitter radius (a little slack so a radius of exactly one step includes it).
        let ri = dx.isFinite ? Int((jitter / dx + 1e-9).rounded(.down)) : 0, rj = dy.isFinite ? Int((jitter / dy + 1e-9).rounded(.down)) : 0
        var offsets: [(Int, Int)] = []
        for dj in -rj...rj {
            for di in -ri...ri {
                let ex = Double(di) * (dx.isFinite ? dx : 0), ey = Double(dj) * (dy.isFinite ? dy : 0)
                if (ex * ex + ey * ey).squareRoot() <= jitter * (1 + 1e-9) { offsets.append((di, dj)) }
            }
        }
        var robust = [Double](repeating: .nan, count: values.count)
        for j in 0..<ny {
            for i in 0..<nx {
                let k = j * nx + i
                guard allowed[k], values[k].isFinite else { continue }
                var worst = values[k], ok = true
                for (di, dj) in offsets {
                    let ii = i + di, jj = j + dj
                    guard ii >= 0, jj >= 0, ii < nx, jj < ny else { continue }  // beyond the map's extent: not known, not excluded
                    let n = jj * nx + ii
                    guard allowed[n], values[n].isFinite else { ok = false; break }
                    worst = higherIsBetter ? min(worst, values[n]) : max(worst, values[n])
                }
                if ok { robust[k] = worst }
            }
        }
        self.robust = robust
        excluded = values.indices.filter { !allowed[$0] || !values[$0].isFinite }
        self.xOffsets = xOffsets
        self.yOffsets = yOffsets
    }

    /// Distance from placement k to the nearest excluded placement, mm (+∞ when none is excluded). Asked
    /// only for the few best spots: one pass over the excluded placements each.
    public func margin(_ k: Int) -> Double {
        let nx = xOffsets.count, x = xOffsets[k % nx], y = yOffsets[k / nx]
        var best = Double.infinity
        for e in excluded {
            let ex = xOffsets[e % nx] - x, ey = yOffsets[e / nx] - y
            best = min(best, ex * ex + ey * ey)
        }
        return best.squareRoot()
    }
}
