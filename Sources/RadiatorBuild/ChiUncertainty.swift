import Foundation

/// How far the crystal's own curl lets χ be trusted.
///
/// The fit's standard error assumes the residual curl is independent noise from plaquette to plaquette. A real
/// crystal's tilts are not exactly a gradient (mosaic blocks, strain, boundaries): that curl is smooth over many
/// plaquettes, no χ can remove it, and whatever part of it resembles the curl a χ makes is silently taken for χ.
/// The standard error then shrinks with the number of pixels while the true error does not (on SF-G03's tilt maps,
/// 0.72 µrad/mm of own curl gave χ off by 1–2.5° reported as ±0.05°).
///
/// The bound added here: the smooth part of the post-fit residual curl (means over blocks of 8 × 8 sampled
/// plaquettes, minus what the plaquette-to-plaquette scatter puts into such a mean) divided by the block means'
/// rms of the curl one radian of χ makes. It is the χ whose curl is as large as the curl the crystal keeps; by
/// Cauchy–Schwarz a smooth curl of that size can pull χ by about that much. It is cheap (one residual evaluation
/// per free parameter) and zero on a gradient field measured with independent noise.
extension InstrumentFit {
    static let blockPlaquettes = 8

    /// Per free parameter, the χ (or dispersion) error the smooth residual curl allows; NaN when it cannot be judged.
    func curlLimitedErrors(_ terms: InstrumentTerms, _ fitMask: [Bool], _ pixels: [Int], _ stride: Int, free: [Parameter],
                           steps: [Double], residuals r: [Double], perturbed: (InstrumentTerms, Int, Double) -> InstrumentTerms) -> [Double] {
        let blocks = curlBlocks(terms, fitMask, pixels, stride)
        let count = min(blocks.count, r.count)
        guard count > 0 else { return free.map { _ in .nan } }
        let blockCount = (blocks.max() ?? -1) + 1
        var size = [Double](repeating: 0, count: blockCount), sum = size
        for i in 0..<count where blocks[i] >= 0 { size[blocks[i]] += 1; sum[blocks[i]] += r[i] }
        let minimum = Double(Self.blockPlaquettes * Self.blockPlaquettes / 2)
        // Plaquette-to-plaquette scatter: deviations from the block means.
        var scatter = 0.0, scattered = 0.0
        for i in 0..<count where blocks[i] >= 0 && size[blocks[i]] >= minimum {
            let d = r[i] - sum[blocks[i]] / size[blocks[i]]
            scatter += d * d; scattered += 1
        }
        guard scattered > 0 else { return free.map { _ in .nan } }
        let noise = scatter / scattered
        var smooth = 0.0, weight = 0.0
        for b in 0..<blockCount where size[b] >= minimum {
            let mean = sum[b] / size[b]
            smooth += size[b] * max(0, mean * mean - noise / size[b]); weight += size[b]
        }
        smooth /= weight
        return free.indices.map { a in
            let moved = residuals(perturbed(terms, a, steps[a]), fitMask, pixels, stride)
            var column = [Double](repeating: 0, count: blockCount)
            for i in 0..<min(count, moved.count) where blocks[i] >= 0 { column[blocks[i]] += (moved[i] - r[i]) / steps[a] }
            var signal = 0.0
            for b in 0..<blockCount where size[b] >= minimum { let m = column[b] / size[b]; signal += size[b] * m * m }
            signal /= weight
            return signal > 0 ? (smooth / signal).squareRoot() : .nan
        }
    }

    /// The block of every curl entry of `residuals` (in its order: view by view, sampled plaquettes where the
    /// curl is defined), -1 for the front − back differences that follow them.
    private func curlBlocks(_ terms: InstrumentTerms, _ fitMask: [Bool], _ pixels: [Int], _ stride: Int) -> [Int] {
        let span = Self.blockPlaquettes * stride
        let across = grid.columns / span + 1, perView = across * (grid.rows / span + 1)
        var out: [Int] = []
        for (k, view) in views.enumerated() {
            let t = TiltCombination.tilts(view, scans: scans, terms: terms, pixels: pixels, scaledByDeterminant: true)
            let curl = TiltCombination.curl(thetaH: t.thetaH, thetaV: t.thetaV, mask: fitMask, columns: grid.columns, rows: grid.rows,
                                            pixel: grid.pixel, stride: stride)
            for i in curl.indices where curl[i].isFinite {
                out.append(k * perView + (i / grid.columns) / span * across + (i % grid.columns) / span)
            }
        }
        return out
    }
}
