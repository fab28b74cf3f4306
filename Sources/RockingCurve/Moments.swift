#if canImport(Glibc)
import Glibc
#endif

extension CurveWorkspace {
    /// The `moments` method for one pixel, and the first step of every method: validity checks,
    /// a linear background through the curve's two ends, the maximum, the FWHM from the
    /// half-maximum crossings, then the background-subtracted centroid and σ in a window of
    /// ±`windowSigmas`·σ around the peak (centred twice: on the maximum, then on the centroid).
    ///
    /// Loops run over the pixel's contiguous curve; nothing is allocated.
    func moments(raw: UnsafeBufferPointer<Float>, dark: Float) -> PixelPeak {
        let n = frameCount, e = endFrames
        let y = signal
        let pass = CurveKernels.normalise(raw.baseAddress!, dark: dark, scale: monitorScale, into: y, count: n,
                                          saturation: options.saturationCounts)
        guard !pass.nonFinite else { return PixelPeak(.noPeakInRange) }
        guard !pass.constant else { return PixelPeak(.dead) }
        let rawTop = CurveKernels.firstIndex(of: pass.largest, in: y, count: n)

        // Background: a line through the means of the end frames.
        var sumLeft = 0.0, sumRight = 0.0
        for k in 0..<e { sumLeft += Double(y[k]) }
        for k in (n - e)..<n { sumRight += Double(y[k]) }
        let baseLeft = sumLeft / Double(e), baseRight = sumRight / Double(e)
        let slope = (baseRight - baseLeft) / (rightEndAngle - leftEndAngle)
        func base(_ a: Double) -> Double { baseLeft + slope * (a - leftEndAngle) }
        var squares = 0.0
        for k in 0..<e {
            let d = Double(y[k]) - base(angle[k])
            squares += d * d
        }
        for k in (n - e)..<n {
            let d = Double(y[k]) - base(angle[k])
            squares += d * d
        }
        let noise = max((squares / Double(2 * e - 2)).squareRoot(), 1e-9)
        var peak = PixelPeak(.valid)
        peak.noise = noise
        peak.endLevels = (baseLeft, baseRight)
        if (baseLeft + baseRight) / 2 > Double(options.hotBackgroundCounts) { peak.validity = .hot; return peak }
        if pass.saturated { peak.validity = .saturated; return peak }

        // A curve whose maximum lies in the end frames, clearly above the other end: the peak is at
        // (or beyond) the scan's end, and the line through the ends would hide it.
        if rawTop < e || rawTop >= n - e {
            let lowSide = baseLeft <= baseRight ? 0..<e : (n - e)..<n, lowMean = min(baseLeft, baseRight)
            var lowSquares = 0.0
            for k in lowSide { lowSquares += (Double(y[k]) - lowMean) * (Double(y[k]) - lowMean) }
            let lowNoise = max((lowSquares / Double(e - 1)).squareRoot(), 1e-9)
            if Double(y[rawTop]) - lowMean > Double(options.minimumSignalToNoise) * lowNoise * 2 {
                peak.validity = .peakAtScanEnd
                return peak
            }
        }

        // Background-subtracted curve, in place, and its maximum.
        let baseFloat = Float(baseLeft), slopeFloat = Float(slope)
        let height = CurveKernels.subtractLine(y, base: baseFloat, slope: slopeFloat, abscissa: angleFromLeftEnd, count: n)
        let top = CurveKernels.firstIndex(of: height, in: y, count: n)
        peak.signalToNoise = Float(Double(height) / noise)
        guard Double(height) > Double(options.minimumSignalToNoise) * noise, height > 0 else { peak.validity = .tooWeak; return peak }
        guard top >= e, top < n - e else { peak.validity = .peakAtScanEnd; return peak }

        // FWHM from the half-maximum crossings, interpolated linearly.
        let half = height / 2
        var left = top
        while left > 0, y[left - 1] >= half { left -= 1 }
        var right = top
        while right < n - 1, y[right + 1] >= half { right += 1 }
        guard left > 0, right < n - 1 else { peak.validity = .peakAtScanEnd; return peak }
        let leftCrossing = angle[left] + (angle[left - 1] - angle[left]) * Double((y[left] - half) / (y[left] - y[left - 1]))
        let rightCrossing = angle[right] + (angle[right + 1] - angle[right]) * Double((y[right] - half) / (y[right] - y[right + 1]))
        let fwhm = abs(rightCrossing - leftCrossing)
        guard fwhm > 0 else { peak.validity = .noPeakInRange; return peak }
        // A peak narrower than 1.5 angle steps is a spike of noise (or a zinger), not a rocking curve.
        guard fwhm >= 1.5 * spacing[top] else { peak.validity = .tooWeak; return peak }

        // Windowed centroid and variance, centred on the maximum, then on the centroid.
        let halfWindow = Double(options.windowSigmas) * fwhm / CurveWorkspace.fwhmPerSigma
        var centre = angle[top], seed = top
        var sum0 = 0.0, sum1 = 0.0, sum2 = 0.0, first = top, last = top
        for _ in 0..<2 {
            while seed > 0, abs(angle[seed - 1] - centre) < abs(angle[seed] - centre) { seed -= 1 }
            while seed < n - 1, abs(angle[seed + 1] - centre) < abs(angle[seed] - centre) { seed += 1 }
            first = seed
            while first > 0, abs(angle[first - 1] - centre) <= halfWindow { first -= 1 }
            last = seed
            while last < n - 1, abs(angle[last + 1] - centre) <= halfWindow { last += 1 }
            guard first > 0, last < n - 1 else { peak.validity = .peakAtScanEnd; return peak }
            sum0 = 0; sum1 = 0; sum2 = 0
            for k in first...last {
                let wz = Double(y[k]) * spacing[k], d = angle[k] - centre
                sum0 += wz
                sum1 += wz * d
                sum2 += wz * d * d
            }
            guard sum0 > 0 else { peak.validity = .noPeakInRange; return peak }
            let shift = sum1 / sum0
            sum2 -= sum0 * shift * shift  // about the new centroid
            centre += shift
        }
        let variance = sum2 / sum0
        guard variance > 0, centre >= lowestAngle, centre <= highestAngle else { peak.validity = .noPeakInRange; return peak }
        let sigma = (variance / windowVarianceFraction).squareRoot()

        // Uncertainty of the centroid: Poisson (in normalised counts) plus background noise.
        var spread = 0.0
        for k in first...last {
            let w = spacing[k], d = angle[k] - centre
            let v = noise * noise + Double(max(y[k], 0) * monitorScale[k])
            spread += w * w * d * d * v
        }
        peak.position = centre
        peak.sigma = sigma
        peak.fwhm = fwhm
        peak.integral = sum0
        peak.amplitude = sum0 / (windowAreaFraction * sigma * (2 * Double.pi).squareRoot())
        peak.background = base(centre)
        peak.backgroundSlope = slope
        peak.positionError = spread.squareRoot() / sum0
        return peak
    }
}
