import Foundation

/// The height field z whose differences best match a gradient field on an arbitrary set of pixels (a
/// crystal outline with holes), in the least-squares sense: minimise Σ over 4-neighbour links inside the
/// mask of (z_j − z_i − ḡ_ij·p)², ḡ the mean of the two pixels' gradients along the link. The normal
/// equations are the masked graph Laplacian L z = b; they are solved by conjugate gradients
/// preconditioned with one aggregation-multigrid V-cycle (2 × 2 aggregates, Galerkin coarse operators,
/// red–black Gauss–Seidel), which needs ~10–20 iterations whatever the grid size. Each connected piece
/// of the mask gets mean height zero.
public enum SurfaceIntegration {
    public struct Result: Sendable {
        /// Height per pixel (units of gradient × pixel), NaN outside the mask.
        public var height: [Double]
        public var iterations: Int
        /// ‖b − Lz‖ / ‖b‖ at the end.
        public var relativeResidual: Double
    }

    /// `gradientX`, `gradientY`: ∂z/∂x, ∂z/∂y per pixel (row-major, row index increasing with y);
    /// `pixel`: the pixel side in the unit of x and y.
    public static func integrate(gradientX: [Double], gradientY: [Double], mask: [Bool], columns: Int, rows: Int, pixel: Double,
                                 tolerance: Double = 1e-7, maxIterations: Int = 300) -> Result {
        let n = columns * rows
        precondition(gradientX.count == n && gradientY.count == n && mask.count == n)
        var east = [Double](repeating: 0, count: n), north = [Double](repeating: 0, count: n)
        var b = [Double](repeating: 0, count: n)
        for row in 0..<rows {
            for column in 0..<columns {
                let i = row * columns + column
                guard mask[i] else { continue }
                if column + 1 < columns, mask[i + 1] {
                    east[i] = 1
                    let d = (gradientX[i] + gradientX[i + 1]) / 2 * pixel
                    b[i] -= d; b[i + 1] += d
                }
                if row + 1 < rows, mask[i + columns] {
                    north[i] = 1
                    let d = (gradientY[i] + gradientY[i + columns]) / 2 * pixel
                    b[i] -= d; b[i + columns] += d
                }
            }
        }
        let hierarchy = MultigridHierarchy(finest: LinkLaplacian(columns: columns, rows: rows, east: east, north: north))
        let fine = hierarchy.levels[0]
        let pieces = Pieces(laplacian: fine)
        pieces.removeMeans(&b)
        var z = [Double](repeating: 0, count: n)
        var r = b
        let normB = (b.reduce(0) { $0 + $1 * $1 }).squareRoot()
        var iterations = 0
        var relative = normB > 0 ? 1.0 : 0.0
        if normB > 0 {
            var s = hierarchy.precondition(r)
            pieces.removeMeans(&s)
            var direction = s
            var rs = dot(r, s)
            var ad = [Double](repeating: 0, count: n)
            while iterations < maxIterations {
                iterations += 1
                fine.apply(direction, into: &ad)
                let alpha = rs / max(dot(direction, ad), 1e-300)
                for i in 0..<n { z[i] += alpha * direction[i]; r[i] -= alpha * ad[i] }
                relative = (r.reduce(0) { $0 + $1 * $1 }).squareRoot() / normB
                if relative < tolerance { break }
                s = hierarchy.precondition(r)
                pieces.removeMeans(&s)
                let rsNew = dot(r, s)
                let beta = rsNew / rs
                rs = rsNew
                for i in 0..<n { direction[i] = s[i] + beta * direction[i] }
            }
        }
        pieces.removeMeans(&z)
        var height = [Double](repeating: .nan, count: n)
        for i in 0..<n where mask[i] { height[i] = fine.diagonal[i] > 0 ? z[i] : 0 }
        return Result(height: height, iterations: iterations, relativeResidual: relative)
    }

    public static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }
}

/// A graph Laplacian on a grid whose links join 4-neighbours: weight `east[i]` between i and i+1,
/// `north[i]` between i and i+columns (0 = no link). Cells without links are outside the domain.
struct LinkLaplacian: Sendable {
    let columns: Int
    let rows: Int
    let east: [Double]
    let north: [Double]
    let diagonal: [Double]

    init(columns: Int, rows: Int, east: [Double], north: [Double]) {
        self.columns = columns
        self.rows = rows
        self.east = east
        self.north = north
        var d = [Double](repeating: 0, count: columns * rows)
        for i in d.indices {
            d[i] += east[i] + north[i]
            if i % columns > 0 { d[i] += east[i - 1] }
            if i >= columns { d[i] += north[i - columns] }
        }
        diagonal = d
    }

    var count: Int { columns * rows }

    /// Σ_j w_ij x_j over a cell's neighbours.
    @inline(__always) func neighbourSum(_ x: UnsafeBufferPointer<Double>, _ i: Int, column: Int, row: Int) -> Double {
        var s = 0.0
        if column + 1 < columns { s += east[i] * x[i + 1] }
        if column > 0 { s += east[i - 1] * x[i - 1] }
        if row + 1 < rows { s += north[i] * x[i + columns] }
        if row > 0 { s += north[i - columns] * x[i - columns] }
        return s
    }

    func apply(_ x: [Double], into y: inout [Double]) {
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                ParallelRows.run(rows: rows, minimumCells: count) { lo, hi in
                    for row in lo..<hi {
                        for column in 0..<columns {
                            let i = row * columns + column
                            yp[i] = diagonal[i] * xp[i] - neighbourSum(xp, i, column: column, row: row)
                        }
                    }
                }
            }
        }
    }

    /// The Galerkin coarse operator for 2 × 2 aggregates with piecewise-constant prolongation: links
    /// inside an aggregate vanish, links between aggregates add up.
    func coarsened() -> LinkLaplacian {
        let cc = (columns + 1) / 2, cr = (rows + 1) / 2
        var ce = [Double](repeating: 0, count: cc * cr), cn = [Double](repeating: 0, count: cc * cr)
        for row in 0..<rows {
            for column in 0..<columns {
                let i = row * columns + column
                let I = (row / 2) * cc + column / 2
                if column % 2 == 1, column + 1 < columns { ce[I] += east[i] }
                if row % 2 == 1, row + 1 < rows { cn[I] += north[i] }
            }
        }
        return LinkLaplacian(columns: cc, rows: cr, east: ce, north: cn)
    }

    /// One red–black Gauss–Seidel sweep on L x = b, colours in the given order (red = even column+row).
    func sweep(_ x: inout [Double], _ b: [Double], colours: [Int]) {
        x.withUnsafeMutableBufferPointer { xp in
            b.withUnsafeBufferPointer { bp in
                let xs = UnsafeBufferPointer(xp)
                for colour in colours {
                    ParallelRows.run(rows: rows, minimumCells: count) { lo, hi in
                        for row in lo..<hi {
                            var column = (colour + row) & 1
                            while column < columns {
                                let i = row * columns + column
                                let d = diagonal[i]
                                if d > 0 { xp[i] = (bp[i] + neighbourSum(xs, i, column: column, row: row)) / d }
                                column += 2
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The multigrid V-cycle used as a (symmetric, positive-definite) preconditioner.
struct MultigridHierarchy: Sendable {
    let levels: [LinkLaplacian]
    /// Coarse corrections are scaled up: piecewise-constant aggregation makes coarse operators about twice
    /// too stiff in 2D, and this over-correction restores most of the lost convergence rate.
    static let coarseScale = 1.8
    static let smoothingSweeps = 1
    static let coarsestSweeps = 40

    init(finest: LinkLaplacian) {
        var levels = [finest]
        while let last = levels.last, last.count > 256, last.columns > 2, last.rows > 2 {
            levels.append(last.coarsened())
        }
        self.levels = levels
    }

    func precondition(_ r: [Double]) -> [Double] { cycle(level: 0, r) }

    private func cycle(level: Int, _ b: [Double]) -> [Double] {
        let a = levels[level]
        var x = [Double](repeating: 0, count: a.count)
        if level == levels.count - 1 {
            for _ in 0..<Self.coarsestSweeps { a.sweep(&x, b, colours: [0, 1]) }
            for _ in 0..<Self.coarsestSweeps { a.sweep(&x, b, colours: [1, 0]) }
            return x
        }
        for _ in 0..<Self.smoothingSweeps { a.sweep(&x, b, colours: [0, 1]) }
        var ax = [Double](repeating: 0, count: a.count)
        a.apply(x, into: &ax)
        let coarse = levels[level + 1]
        var rc = [Double](repeating: 0, count: coarse.count)
        for row in 0..<a.rows {
            for column in 0..<a.columns {
                let i = row * a.columns + column
                rc[(row / 2) * coarse.columns + column / 2] += b[i] - ax[i]
            }
        }
        let xc = cycle(level: level + 1, rc)
        for row in 0..<a.rows {
            for column in 0..<a.columns where a.diagonal[row * a.columns + column] > 0 {
                x[row * a.columns + column] += Self.coarseScale * xc[(row / 2) * coarse.columns + column / 2]
            }
        }
        for _ in 0..<Self.smoothingSweeps { a.sweep(&x, b, colours: [1, 0]) }
        return x
    }
}

/// The connected pieces of a Laplacian's domain: the constant on each is the null space, removed from
/// every right-hand side and iterate.
struct Pieces {
    let labels: [Int32]
    let sizes: [Int]

    init(laplacian a: LinkLaplacian) {
        var labels = [Int32](repeating: -1, count: a.count)
        var sizes: [Int] = []
        var stack: [Int] = []
        for start in 0..<a.count where a.diagonal[start] > 0 && labels[start] < 0 {
            let label = Int32(sizes.count)
            labels[start] = label
            stack.append(start)
            var size = 0
            while let i = stack.popLast() {
                size += 1
                let column = i % a.columns
                var next: [Int] = []
                if column + 1 < a.columns, a.east[i] > 0 { next.append(i + 1) }
                if column > 0, a.east[i - 1] > 0 { next.append(i - 1) }
                if i + a.columns < a.count, a.north[i] > 0 { next.append(i + a.columns) }
                if i >= a.columns, a.north[i - a.columns] > 0 { next.append(i - a.columns) }
                for j in next where labels[j] < 0 { labels[j] = label; stack.append(j) }
            }
            sizes.append(size)
        }
        self.labels = labels
        self.sizes = sizes
    }

    func removeMeans(_ x: inout [Double]) {
        var sums = [Double](repeating: 0, count: sizes.count)
        for i in x.indices {
            if labels[i] >= 0 { sums[Int(labels[i])] += x[i] } else { x[i] = 0 }
        }
        for i in x.indices where labels[i] >= 0 { x[i] -= sums[Int(labels[i])] / Double(sizes[Int(labels[i])]) }
    }
}
