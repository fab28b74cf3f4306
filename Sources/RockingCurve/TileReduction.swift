#if canImport(Glibc)
import Glibc
#endif

/// The per-tile entry point: rocking curves in, maps out.
///
/// A pure, deterministic function of (curves, frames, options): no I/O, no shared state, no
/// randomness, no dependence on the tile's size or on the other pixels (every per-pixel loop
/// reads only that pixel's curve and the shared angles), so a tile reduced on a node equals
/// the same pixels reduced in process, bit for bit, whatever the tiling.
public enum TileReduction {
    /// Reduces every pixel of `tile` with `options.method`.
    ///
    /// - Parameters:
    ///   - tile: raw counts, pixel-major, with the per-pixel dark level.
    ///   - frames: the rocking angle of each image (nominal or motor-corrected) and the monitor scale.
    ///   - options: method and thresholds, the same for every tile of a scan.
    ///   - shouldStop: polled every `stopCheckPixels` pixels; when it answers true (the caller went away
    ///     or its deadline passed) the reduction stops and throws, so abandoned work gives its core back.
    /// - Returns: one value per pixel per quantity; NaN and a reason where a pixel is invalid.
    public static func reduce(_ tile: CurveTile, frames: ScanFrames, options: ReductionOptions,
                              shouldStop: (() -> Bool)? = nil) throws(RockingCurveError) -> TileMaps {
        guard tile.frameCount == frames.count else {
            throw RockingCurveError(parameter: "tile.frame_count", message: "the tile has \(tile.frameCount) frames but the scan has \(frames.count) angles")
        }
        try options.validate(frameCount: frames.count)
        var maps = TileMaps(pixelCount: tile.pixelCount, method: options.method)
        let workspace = CurveWorkspace(frames: frames, options: options)
        let stopped = tile.counts.withUnsafeBufferPointer { counts -> Bool in
            for p in 0..<tile.pixelCount {
                if p % stopCheckPixels == 0, let shouldStop, shouldStop() { return true }
                let raw = UnsafeBufferPointer(rebasing: counts[(p * tile.frameCount)..<((p + 1) * tile.frameCount)])
                let dark = tile.dark?[p] ?? 0
                var result = workspace.moments(raw: raw, dark: dark)
                if result.validity == .valid, options.method != .moments {
                    result = workspace.fit(from: result, shape: options.method == .gauss ? .gauss : .pseudoVoigt)
                }
                maps.store(result, at: p)
            }
            return false
        }
        if stopped {
            throw RockingCurveError(parameter: "tile", message: "the reduction was stopped: its caller went away or its deadline passed")
        }
        return maps
    }

    /// Pixels between polls of `shouldStop`: a fraction of a millisecond (moments) to a few ms (fits).
    public static let stopCheckPixels = 256
}

extension TileMaps {
    mutating func store(_ r: PixelPeak, at p: Int) {
        validity[p] = r.validity
        signalToNoise[p] = r.signalToNoise
        backgroundNoise[p] = Float(r.noise)
        guard r.validity == .valid else {
            background[p] = TileMaps.measuredBackground(r.validity, ends: r.endLevels)
            return
        }
        position[p] = Float(r.position)
        sigma[p] = Float(r.sigma)
        fwhm[p] = Float(r.fwhm)
        amplitude[p] = Float(r.amplitude)
        background[p] = Float(r.background)
        backgroundSlope[p] = Float(r.backgroundSlope)
        integral[p] = Float(r.integral)
        positionError[p] = Float(r.positionError)
        reducedChiSquare[p] = Float(r.reducedChiSquare)
        eta[p] = Float(r.eta)
    }
}

/// One pixel's measured peak, in Double while it is being computed.
struct PixelPeak {
    var validity: PixelValidity
    var position = Double.nan
    var sigma = Double.nan
    var fwhm = Double.nan
    var amplitude = Double.nan
    var background = Double.nan
    var backgroundSlope = Double.nan
    var integral = Double.nan
    var positionError = Double.nan
    var signalToNoise = Float.nan
    var reducedChiSquare = Double.nan
    var eta = Double.nan
    /// Background noise per frame (counts), kept for the fit's weights.
    var noise = Double.nan
    /// Mean level of the first and of the last end frames (counts), NaN before they are measured.
    var endLevels = (left: Double.nan, right: Double.nan)

    init(_ validity: PixelValidity) { self.validity = validity }
}
