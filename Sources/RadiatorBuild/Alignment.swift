import Foundation

/// What alignment found for one scan: the residual similarity and walk, and how well the outline images agree.
struct AlignmentResult: Sendable {
    var similarity: Similarity
    var walk: Double
    /// Normalised cross-correlation of the scan's and the reference's outline images on the common grid.
    var correlation: Double
    /// RMS difference of the two outline images (0 … 1 units) over their joint support.
    var residualRMS: Double
    var iterations: Int
}

/// Finds the residual similarity (shift, rotation, scale) and y-walk that bring a scan's outline image onto
/// the reference's: a coarse search over rotations, each with its translation by phase correlation, on the
/// coarsest pyramid level; then Gauss–Newton (Levenberg–Marquardt damped) on the image difference, level by
/// level down to full resolution, which lands well below a tenth of a pixel.
struct Aligner: Sendable {
    let grid: WorkingGrid
    /// The reference's outline image on the common grid, pyramid levels 0 (full) … top.
    let referenceLevels: [FloatImage]
    /// Per level, the pixels where the reference's outline image has structure (its edges, widened): only they
    /// carry information about the warp, so Gauss–Newton visits them alone.
    let bands: [[Int]]
    let centre: (x: Double, y: Double)

    static let coarsestSide = 32
    static let maxIterationsPerLevel = 40
    static let walkStep = 0.01
    /// Slope (outline-image units per pixel) that marks an edge: a crystal edge has ~0.1, the interior's noise ~0.005.
    static let edgeSlope: Float = 0.02

    init(grid: WorkingGrid, reference: FloatImage) {
        self.grid = grid
        var levels = [reference.blurred(sigma: 1)]
        while let last = levels.last, max(last.width, last.height) > Self.coarsestSide {
            levels.append(last.halved().blurred(sigma: 1))
        }
        referenceLevels = levels
        bands = levels.map { level in
            let (dx, dy) = level.blurred(sigma: 1.5).gradients()
            let edge = (0..<level.count).map { abs(dx.pixels[$0]) + abs(dy.pixels[$0]) > Self.edgeSlope }
            let wide = MaskOperations.dilated(edge, width: level.width, height: level.height, radius: 3)
            return (0..<level.count).filter { wide[$0] }
        }
        var sw = 0.0, sx = 0.0, sy = 0.0
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                let v = Double(reference[column, row])
                sw += v; sx += v * grid.x(column); sy += v * grid.y(row)
            }
        }
        centre = sw > 0 ? (sx / sw, sy / sw) : (grid.x(0) + grid.pixel * Double(grid.columns - 1) / 2, grid.y(0) + grid.pixel * Double(grid.rows - 1) / 2)
    }

    /// The aligner for a reference scan: its outline image on the common grid (through its declared geometry
    /// and given walk), which is the reference's own footprint.
    init(reference: PreparedScan, walk: Double) {
        let grid = WorkingGrid(reference: reference.geometry)
        let warp = ScanWarp(geometry: reference.geometry, similarity: Similarity(), walk: walk, walkField: reference.walkField)
        var image = FloatImage(width: grid.columns, height: grid.rows)
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                let q = warp.cameraPoint(grid.x(column), grid.y(row))
                image[column, row] = reference.alignmentImage.bilinear(q.column, q.row)
            }
        }
        self.init(grid: grid, reference: image)
    }

    /// Which parameters alignment may change (the rest stay at the overrides' values).
    struct Free {
        var shift = true, rotation = true, scale = true, walk = true
    }

    func align(_ scan: PreparedScan, overrides o: ScanOverrides, rotationSearchDegrees: Double) -> AlignmentResult {
        var free = Free()
        var start = Similarity(centreX: centre.x, centreY: centre.y)
        if let v = o.shiftXMillimeters { start.shiftX = v; free.shift = false }
        if let v = o.shiftYMillimeters { start.shiftY = v; free.shift = false }
        if let v = o.rotationDegrees { start.rotation = v * .pi / 180; free.rotation = false }
        if let v = o.scale, v > 0 { start.logScale = log(v); free.scale = false }
        var walk = 0.0
        if let v = o.walkMillimetersPerMilliradian { walk = v; free.walk = false }

        var cameraLevels = [scan.alignmentImage.blurred(sigma: 1)]
        while cameraLevels.count < referenceLevels.count { cameraLevels.append(cameraLevels.last!.halved().blurred(sigma: 1)) }
        let gradients = cameraLevels.map { $0.gradients() }
        var warp = ScanWarp(geometry: scan.geometry, similarity: start, walk: walk, walkField: scan.walkField)

        // Coarse search: rotations around the declared one, translation by phase correlation.
        let top = referenceLevels.count - 1
        if free.shift || free.rotation {
            let step = 1.0
            let candidates: [Double] = free.rotation
                ? stride(from: -rotationSearchDegrees, through: rotationSearchDegrees + 1e-9, by: step).map { $0 * .pi / 180 }
                : [start.rotation]
            var best = (peak: -Double.infinity, similarity: start)
            for angle in candidates {
                var trial = warp
                trial.similarity.rotation = angle
                let rendered = render(trial, camera: cameraLevels[top], level: top)
                let (dx, dy, peak) = FFT.phaseCorrelation(reference: referenceLevels[top], moved: rendered)
                guard peak > best.peak else { continue }
                var s = trial.similarity
                if free.shift {
                    let pixel = grid.pixel * Double(1 << top)
                    // The rendered scan shows the crystal displaced by d: read it at S(p + d).
                    let scale = s.scale, c = cos(angle), n = sin(angle)
                    s.shiftX += scale * (c * dx - n * dy) * pixel
                    s.shiftY += scale * (n * dx + c * dy) * pixel
                }
                best = (peak, s)
            }
            warp.similarity = best.similarity
        }

        // Gauss–Newton, coarse to fine, until no point moves by a thousandth of a pixel.
        let walkReach = Double(scan.walkField.pixels.map { abs($0) }.max() ?? 0)  // mm of slide per mm/mrad of walk
        var iterations = 0
        for level in stride(from: top, through: 0, by: -1) {
            var lambda = 1e-3
            var current = evaluate(warp, camera: cameraLevels[level], gradient: gradients[level], level: level, free: free)
            for _ in 0..<Self.maxIterationsPerLevel {
                iterations += 1
                guard let step = current.step(lambda: lambda) else { break }
                var trial = warp
                trial.similarity.shiftX += step[0]; trial.similarity.shiftY += step[1]
                trial.similarity.rotation += step[2]; trial.similarity.logScale += step[3]
                trial.walk += step[4]
                let next = evaluate(trial, camera: cameraLevels[level], gradient: gradients[level], level: level, free: free)
                if next.cost <= current.cost {
                    warp = trial; current = next
                    lambda = max(lambda / 3, 1e-7)
                    let pixel = grid.pixel * Double(1 << level)
                    let radius = Double(max(grid.columns, grid.rows)) * grid.pixel / 2
                    let moved = max(abs(step[0]), abs(step[1])) / pixel + abs(step[2]) * radius / pixel + abs(step[3]) * radius / pixel
                        + abs(step[4]) * walkReach / pixel
                    if moved < 1e-3 { break }
                } else {
                    lambda *= 10
                    if lambda > 1e6 { break }
                }
            }
        }
        let quality = agreement(warp, camera: cameraLevels[0])
        return AlignmentResult(similarity: warp.similarity, walk: warp.walk, correlation: quality.correlation, residualRMS: quality.rms, iterations: iterations)
    }

    /// Level-k grid pixel (i, j) → front-view mm; fine camera coordinates → level-k coordinates.
    @inline(__always) private func point(_ i: Int, _ j: Int, level: Int) -> (x: Double, y: Double) {
        let f = Double(1 << level), half = (f - 1) / 2
        return (grid.x(0) + (Double(i) * f + half) * grid.pixel, grid.y(0) + (Double(j) * f + half) * grid.pixel)
    }

    @inline(__always) private func cameraAtLevel(_ q: (column: Double, row: Double), level: Int) -> (x: Double, y: Double) {
        let f = Double(1 << level), half = (f - 1) / 2
        return ((q.column - half) / f, (q.row - half) / f)
    }

    /// The scan's outline image seen through `warp`, at the reference's level-k size.
    func render(_ warp: ScanWarp, camera: FloatImage, level: Int) -> FloatImage {
        let ref = referenceLevels[level]
        var out = FloatImage(width: ref.width, height: ref.height)
        for j in 0..<ref.height {
            for i in 0..<ref.width {
                let p = point(i, j, level: level)
                let q = cameraAtLevel(warp.cameraPoint(p.x, p.y), level: level)
                out[i, j] = camera.bilinear(q.x, q.y)
            }
        }
        return out
    }

    struct NormalEquations {
        var h = [Double](repeating: 0, count: 25)
        var g = [Double](repeating: 0, count: 5)
        var cost = 0.0
        var free: [Bool]

        /// The damped Gauss–Newton step for the free parameters (0 for the fixed ones), nil if singular.
        func step(lambda: Double) -> [Double]? {
            let index = (0..<5).filter { free[$0] }
            guard !index.isEmpty else { return nil }
            let k = index.count
            var a = [Double](repeating: 0, count: k * k), b = [Double](repeating: 0, count: k)
            for (r, i) in index.enumerated() {
                b[r] = -g[i]
                for (c, j) in index.enumerated() { a[r * k + c] = h[i * 5 + j] }
                a[r * k + r] += lambda * h[i * 5 + i] + 1e-12
            }
            guard let x = SmallLinearSolve.solve(a, b, size: k) else { return nil }
            var out = [Double](repeating: 0, count: 5)
            for (r, i) in index.enumerated() { out[i] = x[r] }
            return out
        }
    }

    /// Σ r², and JᵀJ, Jᵀr for r = scan(warp(p)) − reference(p) over the level's grid pixels that land in the camera.
    private func evaluate(_ warp: ScanWarp, camera: FloatImage, gradient: (dx: FloatImage, dy: FloatImage), level: Int, free: Free) -> NormalEquations {
        let ref = referenceLevels[level]
        let l = warp.geometry.frontToCamera
        let f = Double(1 << level)
        let s = warp.similarity
        let scale = s.scale, c = cos(s.rotation), n = sin(s.rotation)
        var eq = NormalEquations(free: [free.shift, free.shift, free.rotation, free.scale, free.walk && warp.walkField.pixels.contains { $0 != 0 }])
        var jac = [Double](repeating: 0, count: 5)
        // The walk's column numerically: the walked point is a fixed point through the walk field, whose own
        // slope a linearised column would miss (and a biased column biases the walk found).
        var walked = warp
        walked.walk += Self.walkStep
        for k in bands[level] {
            do {
                let i = k % ref.width, j = k / ref.width
                let p = point(i, j, level: level)
                let qFine = warp.cameraPoint(p.x, p.y)
                let q = cameraAtLevel(qFine, level: level)
                guard q.x > -0.5, q.y > -0.5, q.x < Double(camera.width) - 0.5, q.y < Double(camera.height) - 0.5 else { continue }
                let r = Double(camera.bilinear(q.x, q.y) - ref[i, j])
                let gx = Double(gradient.dx.bilinear(q.x, q.y)) / f, gy = Double(gradient.dy.bilinear(q.x, q.y)) / f
                eq.cost += r * r
                if gx == 0 && gy == 0 { continue }
                // ∂S/∂parameters in front mm, through the camera map's linear part.
                let dx = p.x - s.centreX, dy = p.y - s.centreY
                let rotX = scale * (c * dx - n * dy), rotY = scale * (n * dx + c * dy)
                func along(_ ux: Double, _ uy: Double) -> Double {
                    let d = l.applyLinear(ux, uy)
                    return gx * d.x + gy * d.y
                }
                jac[0] = along(1, 0)
                jac[1] = along(0, 1)
                jac[2] = along(-rotY, rotX)
                jac[3] = along(rotX, rotY)
                if eq.free[4] {
                    let q2 = cameraAtLevel(walked.cameraPoint(p.x, p.y), level: level)
                    jac[4] = Double(camera.bilinear(q2.x, q2.y) - camera.bilinear(q.x, q.y)) / Self.walkStep
                } else {
                    jac[4] = 0
                }
                for a in 0..<5 {
                    eq.g[a] += jac[a] * r
                    for b in a..<5 { eq.h[a * 5 + b] += jac[a] * jac[b] }
                }
            }
        }
        for a in 0..<5 { for b in 0..<a { eq.h[a * 5 + b] = eq.h[b * 5 + a] } }
        return eq
    }

    /// Correlation and RMS difference of the aligned outline images over their joint support.
    private func agreement(_ warp: ScanWarp, camera: FloatImage) -> (correlation: Double, rms: Double) {
        let ref = referenceLevels[0]
        let moved = render(warp, camera: camera, level: 0)
        var n = 0.0, sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, sd = 0.0
        for k in 0..<ref.count where ref.pixels[k] > 0.05 || moved.pixels[k] > 0.05 {
            let a = Double(ref.pixels[k]), b = Double(moved.pixels[k])
            n += 1; sa += a; sb += b; saa += a * a; sbb += b * b; sab += a * b; sd += (a - b) * (a - b)
        }
        guard n > 1 else { return (0, 1) }
        let cov = sab / n - sa * sb / (n * n), va = saa / n - sa * sa / (n * n), vb = sbb / n - sb * sb / (n * n)
        let correlation = va > 0 && vb > 0 ? cov / (va * vb).squareRoot() : 0
        return (correlation, (sd / n).squareRoot())
    }
}

/// Gaussian elimination with partial pivoting for the few-unknown systems of the fits.
enum SmallLinearSolve {
    static func solve(_ matrix: [Double], _ rhs: [Double], size k: Int) -> [Double]? {
        var a = matrix, b = rhs
        for col in 0..<k {
            var pivot = col
            for r in col..<k where abs(a[r * k + col]) > abs(a[pivot * k + col]) { pivot = r }
            guard abs(a[pivot * k + col]) > 1e-300 else { return nil }
            if pivot != col {
                for c in 0..<k { a.swapAt(col * k + c, pivot * k + c) }
                b.swapAt(col, pivot)
            }
            for r in (col + 1)..<k {
                let f = a[r * k + col] / a[col * k + col]
                guard f != 0 else { continue }
                for c in col..<k { a[r * k + c] -= f * a[col * k + c] }
                b[r] -= f * b[col]
            }
        }
        var x = [Double](repeating: 0, count: k)
        for r in stride(from: k - 1, through: 0, by: -1) {
            var s = b[r]
            for c in (r + 1)..<k { s -= a[r * k + c] * x[c] }
            x[r] = s / a[r * k + r]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
