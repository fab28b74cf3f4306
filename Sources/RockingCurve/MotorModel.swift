/// How the stepper motor's angle error is described.
public enum MotorModel: Sendable, Hashable, Codable {
    /// One free error per image (constant and linear trend removed: they only shift and scale every
    /// map and are not measurable from the data).
    case free
    /// A Fourier series in the motor's step phase, phase = nominal angle / step: what a stepper's
    /// microstep non-linearity produces (CLS: one full step ≈ 21 µrad).
    case periodic(stepMicroradians: Double, harmonics: Int)

    public func validate() throws(RockingCurveError) {
        if case .periodic(let step, let harmonics) = self {
            guard step.isFinite, step > 0 else {
                throw RockingCurveError(parameter: "motor_step_urad", message: "\(step); the motor's full step must be a positive angle (µrad)")
            }
            guard (1...20).contains(harmonics) else {
                throw RockingCurveError(parameter: "motor_harmonics", message: "\(harmonics); allowed 1 to 20")
            }
        }
    }

    /// The name in `reduction.json`.
    public var name: String {
        switch self {
        case .free: "free"
        case .periodic: "periodic"
        }
    }
}

/// The recovered motor error: each image's true angle is its nominal angle plus this.
public struct MotorErrorEstimate: Sendable, Hashable, Codable {
    public let model: MotorModel
    /// Error of each image's nominal angle, µrad (true = nominal + error).
    public let errorsMicroradians: [Double]
    /// For the periodic model: cosine and sine coefficients of harmonics 1…H, µrad.
    public let cosineMicroradians: [Double]
    public let sineMicroradians: [Double]
    /// Iterations (pass 1 + pass 2) run, and the rms change of the last one, µrad.
    public let iterations: Int
    public let lastChangeMicroradians: Double
    /// Valid pixels whose residuals were summed in the last iteration.
    public let pixels: Int

    public init(model: MotorModel, errorsMicroradians: [Double], cosineMicroradians: [Double], sineMicroradians: [Double],
                iterations: Int, lastChangeMicroradians: Double, pixels: Int) {
        self.model = model
        self.errorsMicroradians = errorsMicroradians
        self.cosineMicroradians = cosineMicroradians
        self.sineMicroradians = sineMicroradians
        self.iterations = iterations
        self.lastChangeMicroradians = lastChangeMicroradians
        self.pixels = pixels
    }

    /// The corrected frames: nominal angles plus the errors, the monitor kept.
    public func correctedFrames(_ nominal: ScanFrames) throws(RockingCurveError) -> ScanFrames {
        try MotorCorrection.apply(errorsMicroradians, to: nominal)
    }
}

/// Pass 2's result for a set of pixels: per image, the sums that give the common angle error.
///
/// For each valid pixel with model f (fitted at the current angles), image k's residual
/// r = y − f(a_k) ≈ f′(a_k)·δ_k when image k really sat δ_k further on. The weighted least-squares
/// δ_k over all pixels is Σ w·r·f′ / Σ w·f′². Both sums add over tiles, so nodes return them and
/// the edge adds them (in tile order, to be bit-for-bit reproducible).
public struct MotorResidualSums: Sendable, Hashable, Codable {
    /// Σ w·r·f′ per image.
    public var numerator: [Double]
    /// Σ w·f′² per image.
    public var denominator: [Double]
    /// Pixels that contributed.
    public var pixels: Int

    public init(frameCount: Int) {
        numerator = [Double](repeating: 0, count: frameCount)
        denominator = [Double](repeating: 0, count: frameCount)
        pixels = 0
    }

    public init(numerator: [Double], denominator: [Double], pixels: Int) throws(RockingCurveError) {
        guard numerator.count == denominator.count else {
            throw RockingCurveError(parameter: "motor_sums", message: "\(numerator.count) numerators but \(denominator.count) denominators")
        }
        self.numerator = numerator
        self.denominator = denominator
        self.pixels = pixels
    }

    /// Adds another tile's sums (same scan, same frames).
    public mutating func add(_ other: MotorResidualSums) throws(RockingCurveError) {
        guard other.numerator.count == numerator.count else {
            throw RockingCurveError(parameter: "motor_sums", message: "sums of \(other.numerator.count) images cannot add to sums of \(numerator.count)")
        }
        for k in numerator.indices {
            numerator[k] += other.numerator[k]
            denominator[k] += other.denominator[k]
        }
        pixels += other.pixels
    }
}
