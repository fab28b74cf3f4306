import Foundation
import Testing
@testable import Physics
import API
import Compute

/// ebeam_rms acts (issue 12, item 5): the spectrum is the average over a Gaussian beam energy.
@Suite struct EnergySpreadTests {
    static let grid = EnergyGrid(minGeV: 5.85, maxGeV: 6.15, binWidthGeV: 0.01, beamEnergyGeV: 11.6)
    static let orientation = CrystalOrientation(thetaHMilliradians: 1.2296467307569028, thetaVMilliradians: 50)

    /// Brute force: spectra at 400 beam energies at the Gaussian's quantiles, averaged with equal weights.
    static func bruteForce(spreadGeV: Double, smeared: Bool, samples: [TiltSample]? = nil, energies n: Int = 400) -> Spectrum {
        var sum: Spectrum?
        for k in 0..<n {
            let e = 11.6 + spreadGeV * normalQuantile((Double(k) + 0.5) / Double(n))
            let model = SpectrumModel(beamline: Beamline(beamEnergyGeV: e, beamEnergySpreadGeV: 0),
                                      grid: EnergyGrid(minGeV: 5.85, maxGeV: 6.15, binWidthGeV: 0.01, beamEnergyGeV: e))
            let s = samples.map { model.spectrum(base: orientation, samples: $0, smeared: smeared) }
                ?? model.spectrum(at: orientation, smeared: smeared)
            sum = sum.map { a in
                Spectrum(energyGeV: a.energyGeV, coherent: zip(a.coherent, s.coherent).map(+),
                         coherentPolarized: zip(a.coherentPolarized, s.coherentPolarized).map(+),
                         incoherent: zip(a.incoherent, s.incoherent).map(+), binWidthGeV: a.binWidthGeV)
            } ?? s
        }
        return sum!.scaled(by: 1 / Double(n))
    }

    /// Φ⁻¹ by bisection on erfc: plenty for a test.
    static func normalQuantile(_ p: Double) -> Double {
        var lo = -10.0, hi = 10.0
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    static func compare(_ a: Spectrum, _ b: Spectrum, relative: Double, ofMaximum: Double = 2e-3, label: String) {
        for (name, x, y) in [("coherent", a.coherent, b.coherent), ("polarized", a.coherentPolarized, b.coherentPolarized),
                             ("incoherent", a.incoherent, b.incoherent)] {
            let top = y.max() ?? 0
            for i in y.indices {
                #expect(abs(x[i] - y[i]) <= relative * abs(y[i]) + ofMaximum * top,
                        "\(label) \(name) at \(a.energyGeV[i]) GeV: \(x[i]) vs brute force \(y[i])")
            }
        }
    }

    /// The default 0.001 GeV (σ/E = 8.6e-5) and σ/E = 1e-3: first order in σ/E, so the bound grows with it.
    @Test(arguments: [(0.001, 2e-3), (0.0116, 4e-3)])
    func singleOrientationMatchesABruteForceAverage(spread: Double, ofMaximum: Double) {
        let model = SpectrumModel(beamline: Beamline(beamEnergySpreadGeV: spread), grid: Self.grid)
        for smeared in [false, true] {
            let ours = model.spectrum(at: Self.orientation, smeared: smeared)
            Self.compare(ours, Self.bruteForce(spreadGeV: spread, smeared: smeared), relative: 1e-3, ofMaximum: ofMaximum,
                         label: "σ = \(spread) GeV \(smeared ? "smeared" : "raw")")
        }
    }

    @Test func orientationAverageMatchesABruteForceAverage() {
        var samples: [TiltSample] = []
        for i in -3...3 {
            for j in -3...3 {
                let w = exp(-Double(i * i + j * j) / 8)
                samples.append(TiltSample(thetaHOffsetMilliradians: Double(i) * 0.004, thetaVOffsetMilliradians: Double(j) * 0.004, weight: w))
            }
        }
        let model = SpectrumModel(beamline: Beamline(beamEnergySpreadGeV: 0.01), grid: Self.grid)
        let ours = model.spectrum(base: Self.orientation, samples: samples)
        // 100 energies: each is 1 % of the brute-force weight, hence the looser bound.
        Self.compare(ours, Self.bruteForce(spreadGeV: 0.01, smeared: true, samples: samples, energies: 100), relative: 2e-3,
                     ofMaximum: 6e-3, label: "spot average, σ = 0.01 GeV")
    }

    /// The spread acts where edges are (a cliff becomes a slope), and a vanishing spread is today's answer.
    @Test func theSpreadActsAndVanishesContinuously() {
        let sharp = SpectrumModel(beamline: Beamline(beamEnergySpreadGeV: 0), grid: Self.grid).spectrum(at: Self.orientation, smeared: false)
        let tiny = SpectrumModel(beamline: Beamline(beamEnergySpreadGeV: 1e-9), grid: Self.grid).spectrum(at: Self.orientation, smeared: false)
        let wide = SpectrumModel(beamline: Beamline(beamEnergySpreadGeV: 0.0116), grid: Self.grid).spectrum(at: Self.orientation, smeared: false)
        for i in sharp.coherent.indices { #expect(abs(tiny.coherent[i] - sharp.coherent[i]) <= 1e-9 * sharp.coherent.max()!) }
        let drops = { (s: Spectrum) in (1..<s.coherent.count).map { s.coherent[$0 - 1] - s.coherent[$0] }.max()! }
        #expect(drops(wide) < 0.5 * drops(sharp), "a 11.6 MeV spread must soften the one-bin cliff")
        #expect(abs(wide.totalRatePerSecond / sharp.totalRatePerSecond - 1) < 0.03, "and move few photons in or out of a narrow window")
    }

    /// The shared golden cases with their own ebeam_rms = 0.001 GeV: only bins at a cliff may move.
    @Test func theDefaultSpreadMovesOnlyBinsAtAnEdge() {
        for golden in GoldenCase.load("cobrems-reference.json") {
            let a = SpectrumModel(beamline: golden.beamline(spreadGeV: 0), grid: golden.grid).spectrum(at: golden.orientation, smeared: golden.convolved)
            let b = SpectrumModel(beamline: golden.beamline(spreadGeV: golden.params.ebeam_rms), grid: golden.grid)
                .spectrum(at: golden.orientation, smeared: golden.convolved)
            let moved = a.coherent.indices.filter { abs(b.coherent[$0] - a.coherent[$0]) > 1e-6 * a.coherent[$0] }.count
            #expect(moved <= a.coherent.count / 5, "\(golden): \(moved) of \(a.coherent.count) bins moved")
            #expect(abs(b.totalRatePerSecond / a.totalRatePerSecond - 1) < 2e-3, "\(golden)")
        }
    }
}

/// What a reference harness sends: every golden parameter but `ebeam_rms` (which the reference
/// ignores) as an HTTP query. The default spread is 0, so the answer is the reference's.
@Suite struct DefaultQueryMatchesTheReference {
    static let cases = GoldenCase.load("cobrems-reference.json")
        + GoldenCase.load("cobrems-extended-reference.json", from: GoldenCase.ownReferenceData)

    @Test func theDefaultSpreadIsZero() throws {
        #expect(try SpotfinderRequest(query: "")["ebeam_rms"] == 0)
    }

    @Test(arguments: cases)
    func queryWithoutEbeamRmsAgrees(_ golden: GoldenCase) throws {
        let p = golden.params
        let query = [
            "radiator_name=ideal", "ebeam_energy=\(p.ebeam_energy)", "ebeam_current=\(p.ebeam_current)",
            "ebeam_emittance=\(p.ebeam_emittance)", "vspot_rms=\(p.vspot_rms)",
            "rad_thetah=\(p.rad_thetah)", "rad_thetav=\(p.rad_thetav)", "rad_thetaz=\(p.rad_thetaz ?? 0)",
            "rad_thickness=\(p.rad_thickness)", "rad_crystal=\(p.rad_crystal ?? "diamond")",
            "collimator_distance=\(p.collimator_distance)", "collimator_diameter=\(p.collimator_diameter)",
            "pbeam_energy_min=\(p.pbeam_energy_min)", "pbeam_energy_max=\(p.pbeam_energy_max)",
            "pbeam_energy_resol=\(p.pbeam_energy_resol)",
            "collimated=\(p.collimated ?? true ? "on" : "off")", "beam_crystal_smearing=\(golden.convolved ? "on" : "off")",
        ].joined(separator: "&")
        let spectrum = SpectrumComputation().spectrum(for: try SpotfinderRequest(query: query), samples: nil)
        GoldenSpectrumTests().check(spectrum, against: golden)
    }
}
