#if canImport(Glibc)
import Glibc
#endif

/// The per-tile scratch memory and the per-scan constants every pixel's reduction uses.
/// Allocated once per tile, so reducing a pixel allocates nothing.
final class CurveWorkspace {
    let frameCount: Int
    let options: ReductionOptions
    /// Angles, µrad.
    let angle: UnsafeMutablePointer<Double>
    /// Each frame's share of the angle axis (half the distance between its neighbours), µrad:
    /// the quadrature weight that keeps centroids right for uneven steps.
    let spacing: UnsafeMutablePointer<Double>
    let monitorScale: UnsafeMutablePointer<Float>
    /// Angle minus the left end's mean angle, as Float: the background line's abscissa.
    let angleFromLeftEnd: UnsafeMutablePointer<Float>
    /// The current pixel's dark-subtracted, monitor-normalised curve, then (in place) its
    /// background-subtracted curve.
    let signal: UnsafeMutablePointer<Float>
    /// The current pixel's per-frame weights (1 / variance) for the fit.
    let weight: UnsafeMutablePointer<Double>
    /// Frames at each end used for the background, and their mean angles.
    let endFrames: Int
    let leftEndAngle: Double
    let rightEndAngle: Double
    let lowestAngle: Double
    let highestAngle: Double
    /// Variance of a Gaussian cut at ±w·σ over σ², and the fraction of its area inside: the
    /// moments of the window are corrected by these so a Gaussian's σ and height come out unbiased.
    let windowVarianceFraction: Double
    let windowAreaFraction: Double

    init(frames: ScanFrames, options: ReductionOptions) {
        let n = frames.count
        frameCount = n
        self.options = options
        angle = .allocate(capacity: n)
        spacing = .allocate(capacity: n)
        monitorScale = .allocate(capacity: n)
        angleFromLeftEnd = .allocate(capacity: n)
        signal = .allocate(capacity: n)
        weight = .allocate(capacity: n)
        let a = frames.anglesMicroradians
        for k in 0..<n {
            angle[k] = a[k]
            monitorScale[k] = frames.monitorScale[k]
            let left = a[max(k - 1, 0)], right = a[min(k + 1, n - 1)]
            spacing[k] = abs(right - left) / (k == 0 || k == n - 1 ? 1 : 2)
        }
        let e = options.backgroundFrames(frameCount: n)
        endFrames = e
        leftEndAngle = a[0..<e].reduce(0, +) / Double(e)
        for k in 0..<n { angleFromLeftEnd[k] = Float(a[k] - leftEndAngle) }
        rightEndAngle = a[(n - e)..<n].reduce(0, +) / Double(e)
        lowestAngle = min(a[0], a[n - 1])
        highestAngle = max(a[0], a[n - 1])
        let w = Double(options.windowSigmas)
        let inside = erf(w / 2.0.squareRoot())
        let density = exp(-w * w / 2) / (2 * Double.pi).squareRoot()
        windowAreaFraction = inside
        windowVarianceFraction = 1 - 2 * w * density / inside
    }

    deinit {
        angle.deallocate()
        spacing.deallocate()
        monitorScale.deallocate()
        angleFromLeftEnd.deallocate()
        signal.deallocate()
        weight.deallocate()
    }

    /// σ of a Gaussian from its full width at half maximum.
    static let fwhmPerSigma = 2 * (2 * log(2.0)).squareRoot()
}
