import Foundation
import Topography

/// Finds χ per scan (and the dispersion ramps, when asked) by least squares on what a crystal cannot do:
/// have a curl (the measured tilts are a gradient field, so their circulation around every pixel square is
/// zero), or look different from its front and its back (both faces see the same lattice tilt; used only
/// with four scans). Parameters the data cannot see stay at their given values (a small ridge), and every
/// found value comes with its standard error (χ's widened by what the crystal's own curl allows: ChiUncertainty.swift).
struct InstrumentFit: Sendable {
    struct Parameter: Sendable {
        enum Kind: Sendable { case chi, dispersion }
        let kind: Kind
        let scan: Int
    }

    struct Result: Sendable {
        var terms: InstrumentTerms
        /// Standard error per scan, NaN where the value was given.
        var chiError: [Double]
        var dispersionError: [Double]
        /// Per scan, the part of `chiError` the crystal's own curl accounts for (see `curlLimitedErrors`), NaN where χ was given.
        var chiCurlLimit: [Double]
        var residualRMS: Double
    }

    let scans: [AlignedScan]
    let views: [ViewScans]
    let mask: [Bool]
    let grid: WorkingGrid

    /// At most this many plaquettes per view enter the fit (every k-th row and column beyond it).
    static let maxSamples = 60_000
    static let iterations = 6
    static let chiPriorRadians = Double.pi / 180
    static let huber = 1.5
    static let dispersionPrior = 2.0

    func fit(start: InstrumentTerms, free: [Parameter]) -> Result {
        var terms = start
        let nScans = scans.count
        var chiError = [Double](repeating: .nan, count: nScans), dispersionError = chiError, chiCurlLimit = chiError
        let fitMask = MaskOperations.eroded(mask, width: grid.columns, height: grid.rows, radius: 2)
        let crystalCount = fitMask.filter { $0 }.count
        let stride = max(1, Int((Double(crystalCount) / Double(Self.maxSamples)).squareRoot().rounded(.up)))
        // Only the corners of the sampled plaquettes are ever read.
        let pixels = (0..<grid.count).filter { fitMask[$0] && ($0 / grid.columns) % stride <= 1 && ($0 % grid.columns) % stride <= 1 }
        guard !free.isEmpty else { return Result(terms: terms, chiError: chiError, dispersionError: dispersionError, chiCurlLimit: chiCurlLimit,
                                                   residualRMS: rms(residuals(terms, fitMask, pixels, stride))) }
        let steps = free.map { $0.kind == .chi ? 1e-3 : 0.1 }
        func perturbed(_ t: InstrumentTerms, _ k: Int, _ delta: Double) -> InstrumentTerms {
            var out = t
            switch free[k].kind {
            case .chi: out.chiRadians[free[k].scan] += delta
            case .dispersion: out.dispersion[free[k].scan] += delta
            }
            return out
        }
        var r = residuals(terms, fitMask, pixels, stride)
        // Maximum a posteriori: the data weighted by their current scatter, each parameter by a prior around its
        // start value (χ ± 1°, dispersion ± 2 µrad/mm: what beamlines show). A direction the data cannot see
        // (for a quadric surface, one mixing of θH and θV keeps the curl zero) stays near its start instead of
        // wandering off on small systematic errors, and steps are capped.
        let prior = free.map { $0.kind == .chi ? Self.chiPriorRadians : Self.dispersionPrior }
        let maxStep = free.map { $0.kind == .chi ? 2 * Self.chiPriorRadians : 2 * Self.dispersionPrior }
        let k = free.count
        var posterior = [Double](repeating: 0, count: k * k)
        for _ in 0..<Self.iterations {
            // Huber weights: a crystal's own curl (dislocations, boundaries) is local and strong, what χ makes is weak
            // and everywhere; residuals beyond 1.5 robust σ count linearly, so local features cannot steer χ.
            let scale = max(Double(MaskOperations.robustSigma(r.map(Float.init))), 1e-9)
            let weights = r.map { min(1, Self.huber * scale / max(abs($0), 1e-300)).squareRoot() }
            let rw = zip(r, weights).map { $0 * $1 }
            let noise = max(SurfaceIntegration.dot(rw, rw) / Double(max(r.count, 1)), 1e-12)
            let columns = free.indices.map { a -> [Double] in
                let ra = residuals(perturbed(terms, a, steps[a]), fitMask, pixels, stride)
                return zip(zip(ra, r), weights).map { ($0.0 - $0.1) / steps[a] * $1 }
            }
            var h = [Double](repeating: 0, count: k * k), g = [Double](repeating: 0, count: k)
            for a in 0..<k {
                g[a] = -SurfaceIntegration.dot(columns[a], rw) / noise
                for b in a..<k { h[a * k + b] = SurfaceIntegration.dot(columns[a], columns[b]) / noise; h[b * k + a] = h[a * k + b] }
                let drift: Double
                switch free[a].kind {
                case .chi: drift = terms.chiRadians[free[a].scan] - start.chiRadians[free[a].scan]
                case .dispersion: drift = terms.dispersion[free[a].scan] - start.dispersion[free[a].scan]
                }
                h[a * k + a] += 1 / (prior[a] * prior[a])
                g[a] -= drift / (prior[a] * prior[a])
            }
            posterior = h
            guard let step = SmallLinearSolve.solve(h, g, size: k) else { break }
            for a in 0..<k { terms = perturbed(terms, a, max(-maxStep[a], min(maxStep[a], step[a]))) }
            r = residuals(terms, fitMask, pixels, stride)
            if step.enumerated().allSatisfy({ abs($0.element) < steps[$0.offset] * 1e-3 }) { break }
        }
        // The standard error holds for independent residuals; the crystal's own smooth curl adds what no χ removes.
        let limits = curlLimitedErrors(terms, fitMask, pixels, stride, free: free, steps: steps, residuals: r, perturbed: perturbed)
        for a in 0..<k {
            var unit = [Double](repeating: 0, count: k)
            unit[a] = 1
            let column = SmallLinearSolve.solve(posterior, unit, size: k) ?? unit.map { _ in .infinity }
            let error = max(column[a], 0).squareRoot()
            switch free[a].kind {
            case .chi:
                let limit = limits[a].isFinite ? limits[a] : 0
                chiError[free[a].scan] = (error * error + limit * limit).squareRoot()
                chiCurlLimit[free[a].scan] = limit
            case .dispersion: dispersionError[free[a].scan] = error
            }
        }
        return Result(terms: terms, chiError: chiError, dispersionError: dispersionError, chiCurlLimit: chiCurlLimit, residualRMS: rms(r))
    }

    private func rms(_ r: [Double]) -> Double { r.isEmpty ? 0 : (SurfaceIntegration.dot(r, r) / Double(r.count)).squareRoot() }

    /// Curl × pixel (µrad) of every view on the sampled plaquettes, then front − back tilt differences (mean removed).
    func residuals(_ terms: InstrumentTerms, _ fitMask: [Bool], _ pixels: [Int], _ stride: Int) -> [Double] {
        var out: [Double] = []
        var tilts: [ViewSide: ViewTilts] = [:]
        for view in views {
            let t = TiltCombination.tilts(view, scans: scans, terms: terms, pixels: pixels, scaledByDeterminant: true)
            tilts[view.side] = t
            let curl = TiltCombination.curl(thetaH: t.thetaH, thetaV: t.thetaV, mask: fitMask, columns: grid.columns, rows: grid.rows,
                                            pixel: grid.pixel, stride: stride)
            for i in Swift.stride(from: 0, to: curl.count, by: 1) where curl[i].isFinite { out.append(Double(curl[i]) * grid.pixel) }
        }
        if let f = tilts[.front], let b = tilts[.back] {
            for (x, y) in [(f.thetaH, b.thetaH), (f.thetaV, b.thetaV)] {
                var d: [Double] = []
                for i in pixels {
                    let row = i / grid.columns, column = i % grid.columns
                    guard row % stride == 0, column % stride == 0 else { continue }
                    let v = Double(x[i] - y[i])
                    if v.isFinite { d.append(v) }
                }
                let mean = d.isEmpty ? 0 : d.reduce(0, +) / Double(d.count)
                out += d.map { $0 - mean }
            }
        }
        // Which entries are NaN depends on the peaks' validity only, so the vector's length does not change with the terms.
        return out
    }
}
