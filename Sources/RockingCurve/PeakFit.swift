#if canImport(Glibc)
import Glibc
#endif

/// Which profile a fit uses.
enum FitShape {
    case gauss, pseudoVoigt
    var parameterCount: Int { self == .gauss ? 5 : 6 }
}

extension CurveWorkspace {
    /// Levenberg–Marquardt fit of `amplitude·profile + b₀ + b₁·(a − a₀)` to the background-subtracted
    /// curve the moments left in `signal`, started from the moments, over the frames within
    /// ±`fitWindowSigmas`·σ of the centroid, weighted by the inverse of the expected variance
    /// (background noise plus Poisson in normalised counts).
    ///
    /// Parameters: 0 amplitude, 1 centre, 2 FWHM, 3 b₀, 4 b₁, (5 η for the pseudo-Voigt).
    /// Fixed arrays of six on the stack; nothing is allocated.
    func fit(from moments: PixelPeak, shape: FitShape) -> PixelPeak {
        let n = frameCount, y = signal, w = weight
        let count = shape.parameterCount
        let reference = moments.position
        let halfWindow = Double(options.fitWindowSigmas) * moments.sigma
        var first = 0, last = n - 1
        while first < n - 1, abs(angle[first] - reference) > halfWindow { first += 1 }
        while last > 0, abs(angle[last] - reference) > halfWindow { last -= 1 }
        guard last - first + 1 > count + 2 else { var p = moments; p.validity = .noPeakInRange; return p }
        let noiseSquared = moments.noise * moments.noise
        for k in first...last { w[k] = 1 / (noiseSquared + Double(max(y[k], 0) * monitorScale[k]) + 1) }

        var parameters: (Double, Double, Double, Double, Double, Double) =
            (moments.amplitude, moments.position, moments.fwhm, 0, 0, shape == .gauss ? 0 : 0.3)
        // The model's χ² and its normal equations (JᵀWJ, JᵀWr) at parameters q.
        func evaluate(_ q: (Double, Double, Double, Double, Double, Double)) -> (chi: Double, normal: FixedMatrix, gradient: FixedVector) {
            let profile = PeakShape(centre: q.1, fwhm: q.2, eta: q.5)
            var chi = 0.0, normal = FixedMatrix(), gradient = FixedVector()
            for k in first...last {
                let a = angle[k]
                let s = profile.valueAndDerivatives(a)
                let r = Double(y[k]) - (q.0 * s.value + q.3 + q.4 * (a - reference))
                let wk = w[k]
                chi += wk * r * r
                let j = FixedVector(s.value, q.0 * s.dCentre, q.0 * s.dFwhm, 1, a - reference, q.0 * s.dEta)
                normal.addOuter(j, weight: wk, count: count)
                gradient.add(j, scale: wk * r, count: count)
            }
            normal.symmetrize(count: count)
            return (chi, normal, gradient)
        }

        // Levenberg–Marquardt: a trial's normal equations are kept when it is accepted, so each
        // iteration costs one pass over the frames. Stops when χ² improves by less than 1e-7
        // relatively (far below the noise's effect on the position).
        var current = evaluate(parameters)
        var lambda = 1e-3
        var iterations = 0
        while iterations < options.maximumIterations {
            iterations += 1
            var damped = current.normal
            for i in 0..<count { damped[i, i] = current.normal[i, i] * (1 + lambda) + 1e-30 }
            guard let step = damped.solve(current.gradient, count: count) else { break }
            var trial = parameters
            trial.0 += step[0]; trial.1 += step[1]; trial.2 += step[2]; trial.3 += step[3]; trial.4 += step[4]
            if shape == .pseudoVoigt { trial.5 = min(max(trial.5 + step[5], 0), 1) }
            guard trial.2 > 0, trial.2.isFinite, trial.1.isFinite else {
                lambda *= 10
                if lambda > 1e9 { break }
                continue
            }
            let next = evaluate(trial)
            if next.chi < current.chi {
                let improvement = (current.chi - next.chi) / max(current.chi, 1e-300)
                parameters = trial
                current = next
                lambda = max(lambda / 10, 1e-9)
                if improvement < 1e-7 { break }
            } else {
                lambda *= 10
                if lambda > 1e9 { break }
            }
        }
        let chi = current.chi, normal = current.normal

        var peak = moments
        let (amplitude, centre, fwhm, offset, tilt, eta) = parameters
        guard amplitude > 0, fwhm > 0, fwhm.isFinite, centre >= lowestAngle, centre <= highestAngle, chi.isFinite else {
            peak.validity = .noPeakInRange
            return peak
        }
        let degrees = Double(last - first + 1 - count)
        let reduced = chi / degrees
        let centreVariance = normal.solve(FixedVector.unit(1), count: count)?[1] ?? .nan
        peak.position = centre
        peak.fwhm = fwhm
        peak.sigma = fwhm / CurveWorkspace.fwhmPerSigma
        peak.amplitude = amplitude
        peak.eta = eta
        // The fit's background is the moments' line plus the fitted correction.
        let momentsSlope = moments.backgroundSlope, momentsBase = moments.background
        peak.background = momentsBase + momentsSlope * (centre - reference) + offset + tilt * (centre - reference)
        peak.backgroundSlope = momentsSlope + tilt
        peak.integral = amplitude * PeakShape(centre: centre, fwhm: fwhm, eta: eta).area
        peak.reducedChiSquare = reduced
        peak.positionError = (max(centreVariance, 0) * max(reduced, 1e-12)).squareRoot()
        return peak
    }
}
