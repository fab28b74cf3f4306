/// What a tile's reduction gives: one value per pixel per quantity, and the pixel's validity.
/// Values of invalid pixels are NaN (written as such), so a map is never silently zero; the one exception is
/// the background (`hbase`), written where it was measured (see `measuredBackground`).
public struct TileMaps: Sendable, Equatable {
    public let pixelCount: Int
    public let method: PeakMethod
    /// Peak position, µrad (`hmu`).
    public var position: [Float]
    /// Peak width σ, µrad (`hsigma`).
    public var sigma: [Float]
    /// Full width at half maximum, µrad (`hfwhm`).
    public var fwhm: [Float]
    /// Peak height above the background, counts (`hamp`).
    public var amplitude: [Float]
    /// Background level at the peak, counts (`hbase`).
    public var background: [Float]
    /// Background slope, counts/µrad (the fit's linear term; moments: from the two ends).
    public var backgroundSlope: [Float]
    /// Integrated intensity above the background, counts·µrad (`hintegral`).
    public var integral: [Float]
    /// One-σ uncertainty of the position, µrad (`hmu_err`).
    public var positionError: [Float]
    /// Peak height over the background noise (`hsnr`).
    public var signalToNoise: [Float]
    /// Reduced χ² of the fit (`hchi2`); NaN for moments.
    public var reducedChiSquare: [Float]
    /// Pseudo-Voigt η (`heta`); 0 for gauss, NaN for moments.
    public var eta: [Float]
    /// Background noise per frame, counts (from the end frames); sets the motor correction's weights.
    public var backgroundNoise: [Float]
    public var validity: [PixelValidity]

    /// A tile of `pixelCount` pixels, every value NaN and every pixel `noPeakInRange` until reduced.
    public init(pixelCount: Int, method: PeakMethod) {
        let nan = [Float](repeating: .nan, count: pixelCount)
        self.pixelCount = pixelCount
        self.method = method
        position = nan; sigma = nan; fwhm = nan; amplitude = nan; background = nan; backgroundSlope = nan
        integral = nan; positionError = nan; signalToNoise = nan; reducedChiSquare = nan; eta = nan; backgroundNoise = nan
        validity = [PixelValidity](repeating: .noPeakInRange, count: pixelCount)
    }

    /// The map of one name (the `_moco` names give the position and width: a tile does not
    /// know whether its angles were corrected; the caller names them).
    public func values(_ name: MapName) -> [Float] {
        switch name {
        case .hmu, .hmuMoco: position
        case .hsigma, .hsigmaMoco: sigma
        case .hamp: amplitude
        case .hbase: background
        case .hfwhm: fwhm
        case .hintegral: integral
        case .hmuErr: positionError
        case .hsnr: signalToNoise
        case .hchi2: reducedChiSquare
        case .heta: eta
        }
    }

    /// Number of pixels of each validity.
    public var validityCounts: [PixelValidity: Int] {
        var counts: [PixelValidity: Int] = [:]
        for v in validity { counts[v, default: 0] += 1 }
        return counts
    }
}

extension TileMaps {
    /// The background (`hbase`) written for a pixel without a valid peak, so part 2 can find what is in the
    /// frame but does not diffract (the glued mount casts no peak, but its background is measurable and
    /// differs from the empty frame's). Per reason:
    /// - `too_weak`, `no_peak_in_range`: the mean of the two end levels (the curve is background throughout);
    /// - `peak_at_scan_end`: the lower end's level (the other end holds the peak's flank);
    /// - `dead` (nothing measured), `hot` (the level is the sensor's, not the sample's), `saturated` (the
    ///   clipped frames make the ends untrustworthy on a pixel that does diffract): NaN.
    /// Every peak-derived map (position, width, amplitude, integral, …) stays NaN for all of them.
    static func measuredBackground(_ validity: PixelValidity, ends: (left: Double, right: Double)) -> Float {
        switch validity {
        case .tooWeak, .noPeakInRange: Float((ends.left + ends.right) / 2)
        case .peakAtScanEnd: Float(min(ends.left, ends.right))
        case .valid, .dead, .hot, .saturated: .nan
        }
    }
}
