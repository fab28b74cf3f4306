#if canImport(Glibc)
import Glibc
#endif

/// Recovering the stepper motor's angle error from the data: every pixel's curve is sampled at
/// the same, wrong, angles, so the residual common to all pixels at an image is that image's error.
///
/// Distributed form (what the edge runs over nodes; `estimate` runs the same in process):
///
///     errors = 0
///     repeat:
///         frames = MotorCorrection.apply(errors, to: nominal)
///         pass 1 per tile: maps = TileReduction.reduce(tile, frames, options with a fit method)
///         pass 2 per tile: sums += MotorCorrection.residualSums(tile, frames, maps)
///         errors += MotorCorrection.solve(sums, nominal, model)
///     until the change is small
///
/// Passes 1 and 2 may run on the same node in one request (pass 2 needs the tile's maps).
/// A sample of the scan's pixels (spread evenly) suffices: tens of thousands of pixels fix
/// each image's error to far below a microradian.
public enum MotorCorrection {
    /// Pass 2 over one tile: the per-image sums of residual × model slope for the tile's valid pixels.
    ///
    /// - Parameters:
    ///   - tile: the same curves that pass 1 reduced.
    ///   - frames: the angles pass 1 used.
    ///   - maps: pass 1's result for the tile; it must come from a fit (gauss or pvoigt), whose
    ///     parameters are the model.
    public static func residualSums(_ tile: CurveTile, frames: ScanFrames, maps: TileMaps,
                                    options: ReductionOptions) throws(RockingCurveError) -> MotorResidualSums {
        guard maps.method != .moments else {
            throw RockingCurveError(parameter: "maps.method", message: "the motor correction needs the maps of a fit (gauss or pvoigt), not of moments")
        }
        guard maps.pixelCount == tile.pixelCount, tile.frameCount == frames.count else {
            throw RockingCurveError(parameter: "maps", message: "maps of \(maps.pixelCount) pixels for a tile of \(tile.pixelCount) pixels × \(tile.frameCount) frames and \(frames.count) angles")
        }
        let n = frames.count
        var sums = MotorResidualSums(frameCount: n)
        let angles = frames.anglesMicroradians, scale = frames.monitorScale
        let window = Double(options.fitWindowSigmas)
        sums.numerator.withUnsafeMutableBufferPointer { numerator in
            sums.denominator.withUnsafeMutableBufferPointer { denominator in
                tile.counts.withUnsafeBufferPointer { counts in
                    for p in 0..<tile.pixelCount where maps.validity[p] == .valid {
                        let shape = PeakShape(centre: Double(maps.position[p]), fwhm: Double(maps.fwhm[p]), eta: Double(maps.eta[p]))
                        let amplitude = Double(maps.amplitude[p]), base = Double(maps.background[p]), slope = Double(maps.backgroundSlope[p])
                        let noise = Double(maps.backgroundNoise[p]), dark = tile.dark?[p] ?? 0
                        let reach = window * shape.fwhm / CurveWorkspace.fwhmPerSigma
                        for k in 0..<n where abs(angles[k] - shape.centre) <= reach {
                            let a = angles[k]
                            let s = shape.valueAndDerivatives(a)
                            let peak = amplitude * s.value
                            let model = base + slope * (a - shape.centre) + peak
                            let measured = Double((counts[p * n + k] - dark) * scale[k])
                            // f′ by the angle is −∂f/∂centre of the profile, plus the background's slope.
                            let derivative = -amplitude * s.dCentre + slope
                            let weight = 1 / (noise * noise + max(peak, 0) * Double(scale[k]) + 1)
                            numerator[k] += weight * (measured - model) * derivative
                            denominator[k] += weight * derivative * derivative
                        }
                        sums.pixels += 1
                    }
                }
            }
        }
        return sums
    }

    /// The change of each image's angle error that the summed residuals call for.
    ///
    /// Free model: Σ w·r·f′ / (Σ w·f′² + ridge) per image, less its weighted constant and linear trend
    /// (a common shift or stretch of the angles moves every map the same way and cannot be seen).
    /// Periodic model: the weighted least-squares Fourier series in phase = nominal / step.
    public static func solve(_ sums: MotorResidualSums, nominal: ScanFrames,
                             model: MotorModel) throws(RockingCurveError) -> (errors: [Double], cosine: [Double], sine: [Double]) {
        try model.validate()
        let n = nominal.count
        guard sums.numerator.count == n, sums.denominator.count == n else {
            throw RockingCurveError(parameter: "motor_sums", message: "sums of \(sums.numerator.count) images for a scan of \(n)")
        }
        guard sums.pixels > 0, sums.denominator.contains(where: { $0 > 0 }) else {
            throw RockingCurveError(parameter: "motor", message: "no valid pixel to measure the motor error from (every pixel was rejected)")
        }
        let a = nominal.anglesMicroradians
        switch model {
        case .free:
            // Images far from every peak carry almost no information (tiny Σ w·f′²): a ridge of 2 % of the
            // best-measured image's weight pulls them towards zero instead of amplifying their noise.
            var e = [Double](repeating: 0, count: n)
            let ridge = 0.02 * (sums.denominator.max() ?? 0)
            for k in 0..<n where sums.denominator[k] > 0 { e[k] = sums.numerator[k] / (sums.denominator[k] + ridge) }
            // Remove the weighted best line in the nominal angle.
            let basis: [(Int) -> Double] = [{ _ in 1 }, { a[$0] - a[0] }]
            let line = weightedLeastSquares(values: e, weights: sums.denominator, basis: basis)
            for k in 0..<n { e[k] = sums.denominator[k] > 0 ? e[k] - line.fitted[k] : 0 }
            return (e, [], [])
        case .periodic(let step, let harmonics):
            var basis: [(Int) -> Double] = []
            for h in 1...harmonics {
                basis.append { cos(2 * Double.pi * Double(h) * a[$0] / step) }
                basis.append { sin(2 * Double.pi * Double(h) * a[$0] / step) }
            }
            var values = [Double](repeating: 0, count: n)
            for k in 0..<n where sums.denominator[k] > 0 { values[k] = sums.numerator[k] / sums.denominator[k] }
            let series = weightedLeastSquares(values: values, weights: sums.denominator, basis: basis)
            let cosine = stride(from: 0, to: 2 * harmonics, by: 2).map { series.coefficients[$0] }
            let sine = stride(from: 1, to: 2 * harmonics, by: 2).map { series.coefficients[$0] }
            return (series.fitted, cosine, sine)
        }
    }

    /// Nominal angles plus errors, as frames (refused if the corrected angles are no longer monotonic).
    public static func apply(_ errors: [Double], to nominal: ScanFrames) throws(RockingCurveError) -> ScanFrames {
        guard errors.count == nominal.count else {
            throw RockingCurveError(parameter: "motor_errors", message: "\(errors.count) errors for \(nominal.count) images")
        }
        do {
            return try nominal.withAngles(zip(nominal.anglesMicroradians, errors).map { $0 + $1 })
        } catch {
            throw RockingCurveError(parameter: "motor_errors", message: "the corrected angles are not usable: \(error.message)")
        }
    }

    /// The whole estimate in process over a sample of tiles: passes 1 and 2, iterated until the
    /// errors change by less than `tolerance` µrad rms or `iterations` ran.
    ///
    /// - Parameters:
    ///   - options: the scan's options; a moments method is replaced by pvoigt here (the residual needs
    ///     a model of the curve's shape), the chosen fit is kept.
    public static func estimate(sample tiles: [CurveTile], nominal: ScanFrames, options: ReductionOptions, model: MotorModel,
                                iterations: Int = 5, tolerance: Double = 0.002) throws(RockingCurveError) -> MotorErrorEstimate {
        try estimate(nominal: nominal, options: options, model: model, iterations: iterations, tolerance: tolerance) { (frames, fitOptions) throws(RockingCurveError) in
            var sums = MotorResidualSums(frameCount: nominal.count)
            for tile in tiles {
                let maps = try TileReduction.reduce(tile, frames: frames, options: fitOptions)
                try sums.add(residualSums(tile, frames: frames, maps: maps, options: fitOptions))
            }
            return sums
        }
    }

    /// The iteration itself, with passes 1 and 2 over the sample left to `passes` (in process, on
    /// threads, or over nodes): given the current frames and the fit options, it returns the sample's
    /// summed residuals (added in a fixed tile order, so the result is reproducible).
    public static func estimate(nominal: ScanFrames, options: ReductionOptions, model: MotorModel, iterations: Int = 5, tolerance: Double = 0.002,
                                passes: (ScanFrames, ReductionOptions) throws(RockingCurveError) -> MotorResidualSums) throws(RockingCurveError) -> MotorErrorEstimate {
        var iteration = try MotorIteration(nominal: nominal, options: options, model: model, iterations: iterations, tolerance: tolerance)
        while let frames = try iteration.nextFrames() {
            try iteration.update(with: passes(frames, iteration.fitOptions))
        }
        return iteration.estimate
    }

    /// The same with asynchronous passes (tile requests to nodes).
    public static func estimate(nominal: ScanFrames, options: ReductionOptions, model: MotorModel, iterations: Int = 5, tolerance: Double = 0.002,
                                passes: (ScanFrames, ReductionOptions) async throws -> MotorResidualSums) async throws -> MotorErrorEstimate {
        var iteration = try MotorIteration(nominal: nominal, options: options, model: model, iterations: iterations, tolerance: tolerance)
        while let frames = try iteration.nextFrames() {
            try iteration.update(with: await passes(frames, iteration.fitOptions))
        }
        return iteration.estimate
    }
}

/// The motor estimate's state between passes: the errors so far, and whether to go on. Drives
/// `MotorCorrection.estimate`; usable directly by a caller that runs the passes its own way.
public struct MotorIteration: Sendable {
    public let nominal: ScanFrames
    public let model: MotorModel
    /// The options of pass 1: the scan's, with moments replaced by pvoigt (pass 2 needs a fitted shape).
    public let fitOptions: ReductionOptions
    let iterations: Int
    let tolerance: Double
    var errors: [Double]
    var cosine: [Double] = []
    var sine: [Double] = []
    var change = Double.infinity
    var ran = 0
    var pixels = 0

    public init(nominal: ScanFrames, options: ReductionOptions, model: MotorModel, iterations: Int = 5, tolerance: Double = 0.002) throws(RockingCurveError) {
        try model.validate()
        guard (1...50).contains(iterations) else {
            throw RockingCurveError(parameter: "motor_iterations", message: "\(iterations); allowed 1 to 50")
        }
        guard tolerance >= 0, tolerance.isFinite else {
            throw RockingCurveError(parameter: "motor_tolerance", message: "\(tolerance); must be a finite angle ≥ 0 (µrad)")
        }
        var fit = options
        if fit.method == .moments { fit.method = .pvoigt }
        self.nominal = nominal
        self.model = model
        self.fitOptions = fit
        self.iterations = iterations
        self.tolerance = tolerance
        errors = [Double](repeating: 0, count: nominal.count)
    }

    /// The frames the next passes run at, or nil when the estimate is done.
    public func nextFrames() throws(RockingCurveError) -> ScanFrames? {
        guard ran < iterations, change > tolerance else { return nil }
        return try MotorCorrection.apply(errors, to: nominal)
    }

    /// Takes the summed residuals of the passes at `nextFrames()`.
    public mutating func update(with sums: MotorResidualSums) throws(RockingCurveError) {
        let step = try MotorCorrection.solve(sums, nominal: nominal, model: model)
        ran += 1
        pixels = sums.pixels
        var squares = 0.0
        for k in errors.indices {
            errors[k] += step.errors[k]
            squares += step.errors[k] * step.errors[k]
        }
        if !step.cosine.isEmpty {
            cosine = cosine.isEmpty ? step.cosine : zip(cosine, step.cosine).map(+)
            sine = sine.isEmpty ? step.sine : zip(sine, step.sine).map(+)
        }
        change = (squares / Double(errors.count)).squareRoot()
    }

    /// The estimate so far.
    public var estimate: MotorErrorEstimate {
        MotorErrorEstimate(model: model, errorsMicroradians: errors, cosineMicroradians: cosine, sineMicroradians: sine,
                           iterations: ran, lastChangeMicroradians: change, pixels: pixels)
    }
}

/// Weighted linear least squares of `values` on a few basis functions of the image index,
/// by the normal equations (small: at most 40 unknowns).
func weightedLeastSquares(values: [Double], weights: [Double], basis: [(Int) -> Double]) -> (coefficients: [Double], fitted: [Double]) {
    let m = basis.count, n = values.count
    var normal = [Double](repeating: 0, count: m * m), right = [Double](repeating: 0, count: m)
    var row = [Double](repeating: 0, count: m)
    for k in 0..<n where weights[k] > 0 {
        for i in 0..<m { row[i] = basis[i](k) }
        for i in 0..<m {
            right[i] += weights[k] * row[i] * values[k]
            for j in 0..<m { normal[i * m + j] += weights[k] * row[i] * row[j] }
        }
    }
    // Gaussian elimination with partial pivoting; a singular direction gets a zero coefficient.
    var x = right
    var order = Array(0..<m)
    for c in 0..<m {
        var pivot = c
        for r in c..<m where abs(normal[order[r] * m + c]) > abs(normal[order[pivot] * m + c]) { pivot = r }
        order.swapAt(c, pivot)
        let pr = order[c]
        let p = normal[pr * m + c]
        guard abs(p) > 1e-12 * (abs(normal[c * m + c]) + 1e-300) else { continue }
        for r in (c + 1)..<max(m, c + 1) {
            let rr = order[r], f = normal[rr * m + c] / p
            guard f != 0 else { continue }
            for j in c..<m { normal[rr * m + j] -= f * normal[pr * m + j] }
            x[rr] -= f * x[pr]
        }
    }
    var coefficients = [Double](repeating: 0, count: m)
    for c in stride(from: m - 1, through: 0, by: -1) {
        let pr = order[c], p = normal[pr * m + c]
        guard abs(p) > 1e-300 else { continue }
        var s = x[pr]
        for j in (c + 1)..<max(m, c + 1) { s -= normal[pr * m + j] * coefficients[j] }
        coefficients[c] = s / p
    }
    var fitted = [Double](repeating: 0, count: n)
    for k in 0..<n {
        var s = 0.0
        for i in 0..<m { s += coefficients[i] * basis[i](k) }
        fitted[k] = s
    }
    return (coefficients, fitted)
}
