/// The radiator surface implied by its tilts: the height z (nm) over the crystal
/// whose gradient best matches the maps, ∂z/∂y = θH and ∂z/∂x = −θV
/// (µrad × mm = nm), solved in the least-squares sense (Poisson equation with
/// natural boundaries on the crystal mask), mean height zero.
public enum ElevationMap {
    public static func compute(_ view: RadiatorView, iterations: Int = 2000) -> [Float] {
        let g = view.grid
        let p = g.pixelMillimeters
        let n = g.count
        var z = [Double](repeating: 0, count: n)
        let isCrystal = view.mask.map { $0 == .crystal }
        // Divergence of the target gradient field at each pixel, from the links to its crystal neighbours.
        var rhs = [Double](repeating: 0, count: n), degree = [Double](repeating: 0, count: n)
        func gradientX(_ i: Int) -> Double { -Double(view.thetaVMicroradians[i]) }
        func gradientY(_ i: Int) -> Double { Double(view.thetaHMicroradians[i]) }
        var links: [[Int]] = Array(repeating: [], count: n)
        for row in 0..<g.rows {
            for column in 0..<g.columns {
                let i = g.index(column: column, row: row)
                guard isCrystal[i] else { continue }
                if column + 1 < g.columns, isCrystal[i + 1] {
                    let d = (gradientX(i) + gradientX(i + 1)) / 2 * p
                    rhs[i] -= d; rhs[i + 1] += d
                    links[i].append(i + 1); links[i + 1].append(i)
                }
                if row + 1 < g.rows, isCrystal[i + g.columns] {
                    let j = i + g.columns
                    let d = (gradientY(i) + gradientY(j)) / 2 * p
                    rhs[i] -= d; rhs[j] += d
                    links[i].append(j); links[j].append(i)
                }
            }
        }
        for i in 0..<n { degree[i] = Double(links[i].count) }
        // Successive over-relaxation: z_i = (Σ z_neighbours + rhs_i) / degree_i.
        let omega = 1.9
        for _ in 0..<iterations {
            var change = 0.0
            for i in 0..<n where degree[i] > 0 {
                var s = rhs[i]
                for j in links[i] { s += z[j] }
                let updated = s / degree[i]
                change = max(change, abs(updated - z[i]))
                z[i] += omega * (updated - z[i])
            }
            if change < 1e-4 { break }
        }
        let crystal = (0..<n).filter { isCrystal[$0] }
        let mean = crystal.isEmpty ? 0 : crystal.reduce(0.0) { $0 + z[$1] } / Double(crystal.count)
        return (0..<n).map { isCrystal[$0] ? Float(z[$0] - mean) : .nan }
    }
}
