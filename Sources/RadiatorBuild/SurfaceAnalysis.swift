import Topography

/// One face's surface and evidence on the common grid: elevation (nm, plane removed), the surface's own
/// tilts, the curl map and the residual between surface and measurement.
struct SurfaceAnalysis: Sendable {
    var elevation: [Float]
    var surfaceThetaH: [Float]
    var surfaceThetaV: [Float]
    var curl: [Float]
    /// |surface gradient − measured tilt| per pixel, µrad.
    var residual: [Float]
    var curlRMS: Double
    var residualRMS: Double
    var iterations: Int
    var relativeResidual: Double

    /// `thetaH`, `thetaV` front-frame tilts (µrad) valid wherever `mask` is set.
    init(thetaH: [Float], thetaV: [Float], mask: [Bool], grid: WorkingGrid) {
        let n = grid.count, w = grid.columns, h = grid.rows
        let gx = (0..<n).map { mask[$0] ? -Double(thetaV[$0]) : 0 }
        let gy = (0..<n).map { mask[$0] ? Double(thetaH[$0]) : 0 }
        let solved = SurfaceIntegration.integrate(gradientX: gx, gradientY: gy, mask: mask, columns: w, rows: h, pixel: grid.pixel)
        iterations = solved.iterations
        relativeResidual = solved.relativeResidual
        // Plane levelling: the least-squares plane over the crystal removed.
        var z = solved.height
        Self.removePlane(&z, mask: mask, grid: grid)
        elevation = z.map { Float($0) }
        // The surface's gradient: central differences inside the mask, one-sided at its edge.
        var sh = [Float](repeating: .nan, count: n), sv = sh, res = sh
        for row in 0..<h {
            for column in 0..<w where mask[row * w + column] {
                let i = row * w + column
                func derivative(_ minus: Int?, _ plus: Int?) -> Double? {
                    switch (minus, plus) {
                    case let (m?, p?): return (z[p] - z[m]) / (2 * grid.pixel)
                    case let (nil, p?): return (z[p] - z[i]) / grid.pixel
                    case let (m?, nil): return (z[i] - z[m]) / grid.pixel
                    default: return nil
                    }
                }
                let left = column > 0 && mask[i - 1] ? i - 1 : nil, right = column + 1 < w && mask[i + 1] ? i + 1 : nil
                let down = row > 0 && mask[i - w] ? i - w : nil, up = row + 1 < h && mask[i + w] ? i + w : nil
                guard let dzdx = derivative(left, right), let dzdy = derivative(down, up) else { continue }
                sh[i] = Float(dzdy); sv[i] = Float(-dzdx)
                let eh = Double(sh[i] - thetaH[i]), ev = Double(sv[i] - thetaV[i])
                res[i] = Float((eh * eh + ev * ev).squareRoot())
            }
        }
        surfaceThetaH = sh
        surfaceThetaV = sv
        residual = res
        curl = TiltCombination.curl(thetaH: thetaH, thetaV: thetaV, mask: mask, columns: w, rows: h, pixel: grid.pixel)
        curlRMS = Self.rms(curl)
        residualRMS = Self.rms(res)
    }

    static func rms(_ values: [Float]) -> Double {
        var s = 0.0, k = 0.0
        for v in values where v.isFinite { s += Double(v) * Double(v); k += 1 }
        return k > 0 ? (s / k).squareRoot() : 0
    }

    static func removePlane(_ z: inout [Double], mask: [Bool], grid: WorkingGrid) {
        var a = [Double](repeating: 0, count: 9), b = [Double](repeating: 0, count: 3)
        for row in 0..<grid.rows {
            for column in 0..<grid.columns where mask[row * grid.columns + column] && z[row * grid.columns + column].isFinite {
                let f = [1, Double(column), Double(row)]
                let v = z[row * grid.columns + column]
                for i in 0..<3 { b[i] += f[i] * v; for j in 0..<3 { a[i * 3 + j] += f[i] * f[j] } }
            }
        }
        guard let c = SmallLinearSolve.solve(a, b, size: 3) else { return }
        for row in 0..<grid.rows {
            for column in 0..<grid.columns where mask[row * grid.columns + column] {
                z[row * grid.columns + column] -= c[0] + c[1] * Double(column) + c[2] * Double(row)
            }
        }
    }
}
