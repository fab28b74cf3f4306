import Foundation
import Testing
@testable import Physics

/// Agreement with the reference model (CobremsGeneration) on its golden spectra.
@Suite struct GoldenSpectrumTests {
    static let singleCases = GoldenCase.load("cobrems-reference.json")
    static let averageCases = GoldenCase.load("cobrems-average-reference.json")

    @Test func goldenFilesArePresent() {
        #expect(Self.singleCases.count >= 4, "expected the golden cases in \(GoldenCase.sharedTestData.path)")
    }

    @Test(arguments: singleCases)
    func singleOrientationMatchesReference(_ golden: GoldenCase) {
        let model = SpectrumModel(beamline: golden.beamline, grid: golden.grid)
        let spectrum = model.spectrum(at: golden.orientation, smeared: golden.convolved)
        check(spectrum, against: golden)
    }

    @Test(arguments: averageCases)
    func orientationAverageMatchesReference(_ golden: GoldenCase) {
        let model = SpectrumModel(beamline: golden.beamline, grid: golden.grid)
        let spectrum = model.spectrum(base: golden.orientation, samples: golden.samples, smeared: golden.convolved)
        check(spectrum, against: golden)
    }

    func check(_ spectrum: Spectrum, against golden: GoldenCase) {
        let window = golden.params.pbeam_energy_min...golden.params.pbeam_energy_max
        // Align our output bins to the reference's by energy.
        func aligned(_ values: [Double]) -> [Double] {
            golden.energy_GeV.map { e in
                guard let i = spectrum.energyGeV.firstIndex(where: { abs($0 - e) < 1e-9 }) else { return .nan }
                return values[i]
            }
        }
        for (label, ours, reference) in [("coherent", spectrum.coherent, golden.coherent_rate),
                                         ("polarized", spectrum.coherentPolarized, golden.coherent_polarized_rate),
                                         ("incoherent", spectrum.incoherent, golden.incoherent_rate)] {
            let report = ToleranceReport(energy: golden.energy_GeV, ours: aligned(ours), reference: reference, window: window)
            #expect(report.bins == spectrum.energyGeV.count, "\(golden) \(label): output bins differ from the window")
            #expect(report.passes, "\(golden) \(label): \(report)")
            if ProcessInfo.processInfo.environment["SPOTFINDER_VERBOSE"] != nil { print("\(golden) \(label): \(report)") }
        }
        let ourPolarization = aligned(spectrum.polarization)
        for (i, e) in golden.energy_GeV.enumerated() where window.contains(e) {
            let total = golden.coherent_rate[i] + golden.incoherent_rate[i]
            let reference = golden.coherent_polarized_rate[i] / total
            #expect(abs(ourPolarization[i] - reference) <= 0.005, "\(golden) polarization at \(e) GeV")
        }
    }
}
