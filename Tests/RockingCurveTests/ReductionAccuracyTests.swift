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

    /// Dark frames are subtracted and every image normalised to the first image's monitor: with the
    /// beam decaying by 40 % over the scan, heights and backgrounds come out as at the start.
    @Test func darkAndMonitorAreApplied() throws {
        let scan = try SimulatedScanFixture { $0.eta = 0; $0.beamDecay = 0.4; $0.motorErrorMicroradians = 0; $0.motorSecondHarmonicMicroradians = 0 }
        let maps = try scan.reduce(options: ReductionOptions(method: .gauss)).maps
        let truth = scan.simulation.truth
        var ratios: [Double] = [], backgrounds: [Double] = []
        for (r, tile) in maps.enumerated() {
            for c in 0..<tile.pixelCount where tile.validity[c] == .valid && truth.kind[r * scan.width + c] == .crystal {
                ratios.append(Double(tile.amplitude[c]) / Double(truth.amplitude[r * scan.width + c]))
                backgrounds.append(Double(tile.background[c]))
            }
        }
        ratios.sort(); backgrounds.sort()
        #expect(abs(ratios[ratios.count / 2] - 1) < 0.01)
        #expect(abs(backgrounds[backgrounds.count / 2] - truth.backgroundCounts) < 1)
        // Without the monitor, the heights follow the beam down.
        let plain = try ScanFrames(anglesMicroradians: scan.frames.anglesMicroradians)
        let unnormalised = try scan.reduce(frames: plain, options: ReductionOptions(method: .gauss)).maps
        var low: [Double] = []
        for (r, tile) in unnormalised.enumerated() {
            for c in 0..<tile.pixelCount where tile.validity[c] == .valid && truth.kind[r * scan.width + c] == .crystal {
                low.append(Double(tile.amplitude[c]) / Double(truth.amplitude[r * scan.width + c]))
            }
        }
        low.sort()
        #expect(low[low.count / 2] < 0.9)
    }
}
