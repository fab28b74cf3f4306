/// How a pixel's rocking curve becomes numbers.
public enum PeakMethod: String, Sendable, Codable, CaseIterable {
    /// Background from the curve's ends, then the background-subtracted centroid and σ in a
    /// window around the maximum. Fast (a few passes over contiguous memory); the default.
    case moments
    /// Levenberg–Marquardt fit of a Gaussian on a linear background, started from the moments.
    case gauss
    /// Levenberg–Marquardt fit of a pseudo-Voigt (Gaussian and Lorentzian of one FWHM, mixed by η)
    /// on a linear background: diamond curves have wider tails than a Gaussian.
    case pvoigt
}

/// Everything a tile's reduction depends on besides its curves and angles. A scan's tiles
/// are all reduced with the same options (the CLI derives the scan-wide thresholds once,
/// `ReductionOptions.derived(fromSample:…)`), so a pixel's result never depends on its tile.
public struct ReductionOptions: Sendable, Hashable, Codable {
    public var method: PeakMethod
    /// A raw value at or above this in any frame marks the pixel saturated (65535 for 16-bit images).
    public var saturationCounts: Float
    /// A background (after dark and monitor) above this marks the pixel hot.
    public var hotBackgroundCounts: Float
    /// A peak height below this many times the background noise marks the pixel too weak.
    public var minimumSignalToNoise: Float
    /// Frames at each end of the curve that estimate the background; nil: a tenth of the scan, at least 3.
    public var endFrames: Int?
    /// Half-width of the moments window around the maximum, in units of the curve's σ (from its FWHM).
    public var windowSigmas: Float
    /// Half-width of the frames a fit uses around the moments' centroid, in units of the moments' σ.
    public var fitWindowSigmas: Float
    /// Levenberg–Marquardt iterations at most per pixel (gauss, pvoigt).
    public var maximumIterations: Int

    public init(method: PeakMethod = .moments, saturationCounts: Float = 65535, hotBackgroundCounts: Float = .infinity,
                minimumSignalToNoise: Float = 5, endFrames: Int? = nil, windowSigmas: Float = 3, fitWindowSigmas: Float = 6, maximumIterations: Int = 30) {
        self.method = method
        self.saturationCounts = saturationCounts
        self.hotBackgroundCounts = hotBackgroundCounts
        self.minimumSignalToNoise = minimumSignalToNoise
        self.endFrames = endFrames
        self.windowSigmas = windowSigmas
        self.fitWindowSigmas = fitWindowSigmas
        self.maximumIterations = maximumIterations
    }

    /// Checks the options against a scan of `frameCount` images.
    public func validate(frameCount: Int) throws(RockingCurveError) {
        guard saturationCounts > 0, !saturationCounts.isNaN else {
            throw RockingCurveError(parameter: "options.saturation_counts", message: "\(saturationCounts); must be a positive count")
        }
        guard hotBackgroundCounts > 0, !hotBackgroundCounts.isNaN else {
            throw RockingCurveError(parameter: "options.hot_background_counts", message: "\(hotBackgroundCounts); must be a positive count")
        }
        guard minimumSignalToNoise.isFinite, minimumSignalToNoise >= 0 else {
            throw RockingCurveError(parameter: "options.minimum_signal_to_noise", message: "\(minimumSignalToNoise); must be a finite number ≥ 0")
        }
        guard windowSigmas.isFinite, windowSigmas >= 1, windowSigmas <= 20 else {
            throw RockingCurveError(parameter: "options.window_sigmas", message: "\(windowSigmas); allowed 1 to 20")
        }
        guard fitWindowSigmas.isFinite, fitWindowSigmas >= 2, fitWindowSigmas <= 50 else {
            throw RockingCurveError(parameter: "options.fit_window_sigmas", message: "\(fitWindowSigmas); allowed 2 to 50")
        }
        guard (1...1000).contains(maximumIterations) else {
            throw RockingCurveError(parameter: "options.maximum_iterations", message: "\(maximumIterations); allowed 1 to 1000")
        }
        let ends = backgroundFrames(frameCount: frameCount)
        guard ends >= 1, 2 * ends + 3 <= frameCount else {
            throw RockingCurveError(parameter: "options.end_frames",
                                    message: "\(ends) background frames at each end leave no room for a peak in \(frameCount) images; allowed 1 to \((frameCount - 3) / 2)")
        }
    }

    /// Frames at each end used for the background.
    public func backgroundFrames(frameCount: Int) -> Int { endFrames ?? max(3, frameCount / 10) }
}
