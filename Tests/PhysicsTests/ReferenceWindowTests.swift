import Foundation
import Testing
@testable import Physics

/// The smearing window is the reference's ROOT axis window, bin for bin (issue 12, item 1),
/// and the extended golden cases made with the reference C++ (ReferenceData/README.md).
@Suite struct ReferenceWindowTests {
    static let extendedCases = GoldenCase.load("cobrems-extended-reference.json", from: GoldenCase.ownReferenceData)

    @Test func theReferencesOwnSettingsGiveItsBins() {
        // E = 11.7, 4.5–7.0, w = 0.02: nbins = 585 on [0, 0.02·585]; 585·4.3/(0.02·585) = 214.99999999999997,
        // so FindBin(4.3) = 215 (our bin 214), where floor(4.3/0.02 + 1e-9) gave 215; FindBin(7.2) = 360.
        let g = EnergyGrid(minGeV: 4.5, maxGeV: 7.0, binWidthGeV: 0.02, beamEnergyGeV: 11.7)
        #expect(g.firstComputedBin == 214 && g.lastComputedBin == 359)
        #expect(ReferenceAxis(beamEnergyGeV: 11.7, binWidthGeV: 0.02).bins == 585)
    }

    @Test func roundNumberSettingsMatchROOTsFindBin() throws {
        let url = GoldenCase.ownReferenceData.appendingPathComponent("reference-axis-windows.json")
        let rows = try JSONDecoder().decode([[Double]].self, from: Data(contentsOf: url))
        #expect(rows.count > 1000)
        var mismatches = 0
        for r in rows {
            let (e, lo, hi, w) = (r[0], r[1], r[2], r[3])
            let i0 = Int(r[4]), i1 = Int(r[5])
            let g = EnergyGrid(minGeV: lo, maxGeV: hi, binWidthGeV: w, beamEnergyGeV: e)
            // Our bin i is ROOT's bin i + 1; ROOT's underflow (0) becomes our bin 0 (documented difference).
            let first = max(0, i0 - 1)
            let lastBelowEnd = Int((e / w - 0.5 - 1e-9).rounded(.up)) - 1
            if g.firstComputedBin != first || g.lastComputedBin != min(i1 - 1, lastBelowEnd) {
                mismatches += 1
                Issue.record("E=\(e) \(lo)–\(hi) w=\(w): ours \(g.firstComputedBin)…\(g.lastComputedBin), ROOT \(i0)…\(i1)")
            }
        }
        #expect(mismatches == 0)
    }

    @Test func aWindowStartingBelowZeroStartsAtBinZero() {
        let g = EnergyGrid(minGeV: 0.1, maxGeV: 2.0, binWidthGeV: 0.01, beamEnergyGeV: 5.5)
        #expect(g.firstComputedBin == 0)
        let s = SpectrumModel(beamline: Beamline(beamEnergyGeV: 5.5), grid: g)
            .spectrum(at: CrystalOrientation(thetaHMilliradians: 1.38, thetaVMilliradians: 50))
        #expect(s.total.allSatisfy { $0.isFinite && $0 > 0 }, "the reference is all zero here; we are not")
    }

    @Test func theOverflowBinIsPartOfTheWindow() {
        // E = 5.53, w = 0.05: 110 regular bins up to 5.5; max + 0.2 = 5.55 is ROOT's overflow bin 111, centre 5.525 < E.
        let g = EnergyGrid(minGeV: 4.0, maxGeV: 5.35, binWidthGeV: 0.05, beamEnergyGeV: 5.53)
        #expect(g.lastComputedBin == 110)
    }

    @Test func extendedReferenceFileIsPresent() {
        #expect(Self.extendedCases.count >= 10)
    }

    @Test(arguments: extendedCases)
    func extendedCasesMatchTheReference(_ golden: GoldenCase) {
        let model = SpectrumModel(beamline: golden.beamline, grid: golden.grid)
        #expect(model.grid.computedCount == golden.energy_GeV.count, "\(golden): the smearing window differs from the reference's")
        let spectrum = model.spectrum(at: golden.orientation, smeared: golden.convolved)
        GoldenSpectrumTests().check(spectrum, against: golden)
        // Closer than the shared tolerance: the window arithmetic is now the reference's, so the ends agree too.
        let computedCentres = model.grid.computedCentresGeV
        for (i, e) in golden.energy_GeV.enumerated() {
            #expect(abs(computedCentres[i] - e) < 1e-9, "\(golden): computed bin \(i) at \(computedCentres[i]), reference \(e)")
        }
        let window = golden.params.pbeam_energy_min...golden.params.pbeam_energy_max
        for (ours, reference) in [(spectrum.coherent, golden.coherent_rate), (spectrum.incoherent, golden.incoherent_rate)] {
            let top = reference.max() ?? 0
            for (k, e) in spectrum.energyGeV.enumerated() where window.contains(e) {
                guard let j = golden.energy_GeV.firstIndex(where: { abs($0 - e) < 1e-9 }) else { continue }
                #expect(abs(ours[k] - reference[j]) <= 1e-3 * abs(reference[j]) + 1e-6 * top, "\(golden) at \(e) GeV")
            }
        }
    }
}
