import RockingCurve
import RockingScanSimulation
import Testing

/// Peak positions and widths against the simulator's truth at a realistic noise level: Poisson
/// counts with ≈ 2000–4000 counts at the peak over 40 of background, 2 counts of read noise,
/// 2.4 µrad steps, σ = 8 µrad (the README quotes these).
@Suite struct ReductionAccuracyTests {
    @Test func momentsFindGaussianPeaksWithinTwoTenthsOfAMicroradian() throws {
        let scan = try SimulatedScanFixture { $0.eta = 0; $0.motorErrorMicroradians = 0; $0.motorSecondHarmonicMicroradians = 0 }
        let result = try scan.reduce(options: ReductionOptions(method: .moments))
        let error = scan.positionError(result.position, result.validity)
        #expect(error.count > 1000)
        #expect(error.rms < 0.2)
        let sigmas = zip(result.sigma, result.validity).filter { $0.1 == .valid }.map { Double($0.0) }
        let meanSigma = sigmas.reduce(0, +) / Double(sigmas.count)
        #expect(abs(meanSigma - 8) < 0.2)
    }

    @Test func fitsBeatMomentsOnTailedCurves() throws {
        let scan = try SimulatedScanFixture { $0.eta = 0.5; $0.motorErrorMicroradians = 0; $0.motorSecondHarmonicMicroradians = 0 }
        var rms: [PeakMethod: Double] = [:], sigma: [PeakMethod: Double] = [:]
        for method in PeakMethod.allCases {
            let result = try scan.reduce(options: ReductionOptions(method: method))
            rms[method] = scan.positionError(result.position, result.validity).rms
            let s = zip(result.sigma, result.validity).filter { $0.1 == .valid }.map { Double($0.0) }
            sigma[method] = s.reduce(0, +) / Double(s.count)
        }
        // The pseudo-Voigt is the curve's true shape: it gets the width (FWHM / 2.3548 = 8 µrad) and
        // the best positions; moments' σ is wider (tails in the window).
        #expect(abs(sigma[.pvoigt]! - 8) < 0.15)
        #expect(abs(sigma[.moments]! - 8) > abs(sigma[.pvoigt]! - 8))
        #expect(rms[.pvoigt]! < rms[.moments]!)
        #expect(rms[.pvoigt]! < 0.2)
    }
}
