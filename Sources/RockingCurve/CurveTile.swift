/// The rocking curves of a tile of pixels, as read from the images: the unit of work
/// that a node reduces and that the CLI reduces band by band.
///
/// Layout is pixel-major: pixel p's curve is `counts[p·frameCount ..< (p+1)·frameCount]`,
/// contiguous so that every per-pixel loop runs over consecutive memory. Counts are raw
/// (as the camera wrote them): saturation and dead pixels are judged on them, before the
/// dark level is subtracted and the monitor applied.
public struct CurveTile: Sendable, Equatable {
    public let pixelCount: Int
    public let frameCount: Int
    /// Raw counts, pixel-major (see the type's comment).
    public var counts: [Float]
    /// Per-pixel dark level (counts) subtracted from every frame, or nil for none.
    public var dark: [Float]?

    public init(pixelCount: Int, frameCount: Int, counts: [Float], dark: [Float]? = nil) throws(RockingCurveError) {
        guard pixelCount >= 0, frameCount >= ScanFrames.minimumCount else {
            throw RockingCurveError(parameter: "tile", message: "\(pixelCount) pixels × \(frameCount) frames; need ≥ 0 pixels and ≥ \(ScanFrames.minimumCount) frames")
        }
        guard counts.count == pixelCount * frameCount else {
            throw RockingCurveError(parameter: "tile.counts", message: "\(counts.count) values for \(pixelCount) pixels × \(frameCount) frames")
        }
        if let dark, dark.count != pixelCount {
            throw RockingCurveError(parameter: "tile.dark", message: "\(dark.count) dark values for \(pixelCount) pixels")
        }
        self.pixelCount = pixelCount
        self.frameCount = frameCount
        self.counts = counts
        self.dark = dark
    }

    /// Pixel p's raw curve.
    public func curve(_ p: Int) -> ArraySlice<Float> { counts[(p * frameCount)..<((p + 1) * frameCount)] }
}
