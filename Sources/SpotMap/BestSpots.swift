/// The best placements of a map: distinct local optima among the allowed placements,
/// best first, each at least one spot σ (Mahalanobis distance 1 in the spot's
/// covariance) from every better one. The first is the map's optimum.
public enum BestSpots {
    public static let count = 5

    public static func find(values: [Double], allowed: [Bool], columns: Int, xOffsets: [Double], yOffsets: [Double],
                            sigmaX: Double, sigmaY: Double, correlation: Double, higherIsBetter: Bool, count: Int = Self.count) -> [Int] {
        let rows = columns > 0 ? values.count / columns : 0
        func score(_ i: Int) -> Double { higherIsBetter ? values[i] : -values[i] }
        func usable(_ i: Int) -> Bool { allowed[i] && values[i].isFinite }
        // Local optima: no allowed neighbour (8-connected) is strictly better.
        var candidates: [Int] = []
        for i in values.indices where usable(i) {
            let c = i % columns, r = i / columns
            var isOptimum = true
            for dr in -1...1 {
                for dc in -1...1 where dr != 0 || dc != 0 {
                    let rr = r + dr, cc = c + dc
                    guard rr >= 0, rr < rows, cc >= 0, cc < columns else { continue }
                    let j = rr * columns + cc
                    if usable(j) && score(j) > score(i) { isOptimum = false }
                }
            }
            if isOptimum { candidates.append(i) }
        }
        // Best first; ties by position so the answer is deterministic.
        candidates.sort { score($0) != score($1) ? score($0) > score($1) : $0 < $1 }
        let det = 1 - correlation * correlation
        func distance2(_ a: Int, _ b: Int) -> Double {
            let u = (xOffsets[a % columns] - xOffsets[b % columns]) / sigmaX
            let v = (yOffsets[a / columns] - yOffsets[b / columns]) / sigmaY
            return (u * u - 2 * correlation * u * v + v * v) / det
        }
        var picked: [Int] = []
        for i in candidates where picked.count < count {
            if picked.allSatisfy({ distance2($0, i) >= 1 }) { picked.append(i) }
        }
        return picked
    }
}
