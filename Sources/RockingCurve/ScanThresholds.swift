/// Scan-wide thresholds derived once from a sample of the scan's pixels, so every tile of the
/// scan is judged by the same numbers (a pixel's validity never depends on its tile).
extension ReductionOptions {
    /// These options with `hotBackgroundCounts` set from a sample of curves: a pixel is hot when
    /// its background exceeds the sample's median background by more than 10 robust standard
    /// deviations (1.4826 × median absolute deviation) or 10 × √median counts, whichever is larger
    /// (hot pixels are rare, so they do not move the median).
    ///
    /// - Parameters:
    ///   - sample: curves spread over the scan (the CLI takes every 16th pixel of a few bands).
    ///   - frames: the scan's frames (monitor applied as in the reduction).
    public func derivingHotThreshold(from sample: CurveTile, frames: ScanFrames) throws(RockingCurveError) -> ReductionOptions {
        guard sample.frameCount == frames.count else {
            throw RockingCurveError(parameter: "sample", message: "\(sample.frameCount) frames for \(frames.count) angles")
        }
        try validate(frameCount: frames.count)
        let e = backgroundFrames(frameCount: frames.count), n = frames.count
        var backgrounds: [Double] = []
        backgrounds.reserveCapacity(sample.pixelCount)
        for p in 0..<sample.pixelCount {
            let dark = Double(sample.dark?[p] ?? 0)
            var s = 0.0
            for k in Array(0..<e) + Array((n - e)..<n) { s += (Double(sample.counts[p * n + k]) - dark) * Double(frames.monitorScale[k]) }
            let b = s / Double(2 * e)
            if b.isFinite { backgrounds.append(b) }
        }
        guard !backgrounds.isEmpty else { return self }
        backgrounds.sort()
        let median = backgrounds[backgrounds.count / 2]
        var deviations = backgrounds.map { abs($0 - median) }
        deviations.sort()
        let robust = 1.4826 * deviations[deviations.count / 2]
        var derived = self
        derived.hotBackgroundCounts = Float(median + 10 * max(robust, max(median, 1).squareRoot()))
        return derived
    }
}
