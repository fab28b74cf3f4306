/// Rocking curves as images deliver them: frame-major (image k's rows of the band, then image
/// k+1's), turned into the pixel-major tiles the reduction needs.
///
/// The CLI reads a band of rows from every image and reduces it in tiles of a few hundred pixels,
/// so the transposed tile stays in the processor's cache.
public enum FrameMajorBand {
    /// Pixels `pixels` (indices within one image's band, row-major) of a frame-major band of
    /// `frameCount` 16-bit images of `bandPixels` pixels each, as a tile.
    ///
    /// - Parameters:
    ///   - band: `frameCount × bandPixels` values, image by image.
    ///   - dark: the dark level of every pixel of the band (`bandPixels` values), or nil.
    public static func tile(_ band: UnsafeBufferPointer<UInt16>, frameCount: Int, bandPixels: Int,
                                                             pixels: Range<Int>, dark: UnsafeBufferPointer<Float>?) throws(RockingCurveError) -> CurveTile {
        try check(band.count, frameCount: frameCount, bandPixels: bandPixels, pixels: pixels)
        var counts = [Float](repeating: 0, count: pixels.count * frameCount)
        counts.withUnsafeMutableBufferPointer { out in
            // In blocks of 16 pixels: their 16 output curves stay in the L1 cache while the frames pass.
            for block in stride(from: 0, to: pixels.count, by: 16) {
                let end = min(block + 16, pixels.count)
                for k in 0..<frameCount {
                    let image = k * bandPixels + pixels.lowerBound
                    for i in block..<end { out[i * frameCount + k] = Float(band[image + i]) }
                }
            }
        }
        return try CurveTile(pixelCount: pixels.count, frameCount: frameCount, counts: counts, dark: dark.map { Array($0[pixels]) })
    }

    /// The same for float images.
    public static func tile(_ band: UnsafeBufferPointer<Float>, frameCount: Int, bandPixels: Int,
                            pixels: Range<Int>, dark: UnsafeBufferPointer<Float>?) throws(RockingCurveError) -> CurveTile {
        try check(band.count, frameCount: frameCount, bandPixels: bandPixels, pixels: pixels)
        var counts = [Float](repeating: 0, count: pixels.count * frameCount)
        counts.withUnsafeMutableBufferPointer { out in
            for k in 0..<frameCount {
                let image = k * bandPixels + pixels.lowerBound
                for i in 0..<pixels.count { out[i * frameCount + k] = band[image + i] }
            }
        }
        return try CurveTile(pixelCount: pixels.count, frameCount: frameCount, counts: counts, dark: dark.map { Array($0[pixels]) })
    }

    private static func check(_ count: Int, frameCount: Int, bandPixels: Int, pixels: Range<Int>) throws(RockingCurveError) {
        guard count == frameCount * bandPixels else {
            throw RockingCurveError(parameter: "band", message: "\(count) values for \(frameCount) images of \(bandPixels) pixels")
        }
        guard pixels.lowerBound >= 0, pixels.upperBound <= bandPixels else {
            throw RockingCurveError(parameter: "band.pixels", message: "pixels \(pixels) outside a band of \(bandPixels)")
        }
    }
}
