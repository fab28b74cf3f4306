import Foundation
import Testing
@testable import Physics

/// The fast kinematic-limit grid against the orientation-by-orientation sum.
@Suite struct OrientationAveragingTests {
    /// A realistic spot: Gaussian tilts of `rmsMicroradians` with a correlation, on a 0.01 mrad grid.
    static func gaussianTilts(rmsH: Double, rmsV: Double, correlation: Double = 0.3, step: Double = 0.01,
                              meanH: Double = 0, meanV: Double = 0) -> [TiltSample] {
        var samples: [TiltSample] = []
        let reach = 4.0
        let nh = Int(reach * rmsH / step), nv = Int(reach * rmsV / step)
        for i in -nh...nh {
            for j in -nv...nv {
                let h = Double(i) * step, v = Double(j) * step
                let zh = h / rmsH, zv = v / rmsV
                let q = (zh * zh - 2 * correlation * zh * zv + zv * zv) / (1 - correlation * correlation)
                samples.append(TiltSample(thetaHOffsetMilliradians: meanH + h, thetaVOffsetMilliradians: meanV + v,
                                          weight: exp(-q / 2)))
            }
        }
        return samples
    }

    static func assertAgree(_ fast: Spectrum, _ brute: Spectrum, within tolerance: Double, _ label: String) {
        for (name, a, b) in [("coherent", fast.coherent, brute.coherent), ("polarized", fast.coherentPolarized, brute.coherentPolarized)] {
            let peak = b.max()!
            for i in a.indices {
                let diff = abs(a[i] - b[i])
                #expect(diff <= tolerance * abs(b[i]) || diff <= tolerance * 0.01 * peak,
                        "\(label) \(name) at \(fast.energyGeV[i]) GeV: fast \(a[i]) brute \(b[i])")
            }
        }
    }

    @Test func realisticSpotAverageAgreesWithBruteForceWithinTwoPerMille() {
        let samples = Self.gaussianTilts(rmsH: 0.05, rmsV: 0.05)
        #expect(samples.count >= 1000)
        let model = SpectrumModel(beamline: Beamline(), grid: EnergyGrid(minGeV: 4.5, maxGeV: 7, binWidthGeV: 0.02, beamEnergyGeV: 11.6))
        let base = CrystalOrientation(thetaHMilliradians: 1.2296, thetaVMilliradians: 50)
        for smeared in [false, true] {
            let fast = model.spectrum(from: model.coherentSum(base: base, samples: samples), smeared: smeared)
            let brute = model.spectrum(from: model.bruteForceCoherentSum(base: base, samples: samples), smeared: smeared)
            Self.assertAgree(fast, brute, within: 0.002, "smeared=\(smeared)")
        }
    }

    @Test(arguments: [(11.6, 9.0, PolarizationPlane.perp, 0.1), (5.5, 2.0, .para, 0.03), (12.0, 4.0, .para, 0.2)])
    func otherConfigurationsAgreeToo(energy: Double, edge: Double, plane: PolarizationPlane, rms: Double) throws {
        let o = try EdgeSnapping.orientation(edgeGeV: edge, plane: plane, beamEnergyGeV: energy)
        let base = CrystalOrientation(thetaHMilliradians: o.thetaH, thetaVMilliradians: o.thetaV)
        let grid = EnergyGrid(minGeV: edge * 0.5, maxGeV: min(edge * 1.4, energy * 0.95), binWidthGeV: energy / 500, beamEnergyGeV: energy)
        let model = SpectrumModel(beamline: Beamline(beamEnergyGeV: energy), grid: grid)
        let samples = Self.gaussianTilts(rmsH: rms, rmsV: rms * 0.7, correlation: -0.4, step: rms / 5)
        let fast = model.spectrum(from: model.coherentSum(base: base, samples: samples), smeared: false)
        let brute = model.spectrum(from: model.bruteForceCoherentSum(base: base, samples: samples), smeared: false)
        Self.assertAgree(fast, brute, within: 0.002, "\(energy) GeV edge \(edge)")
    }

    @Test func aSingleSampleThroughTheGridMatchesTheDirectSum() {
        let model = SpectrumModel(beamline: Beamline(), grid: EnergyGrid(minGeV: 4.5, maxGeV: 7, binWidthGeV: 0.02, beamEnergyGeV: 11.6))
        let base = CrystalOrientation(thetaHMilliradians: 1.2296, thetaVMilliradians: 50)
        let one = [TiltSample(thetaHOffsetRadians: 0, thetaVOffsetRadians: 0, weight: 1)]
        Self.assertAgree(model.spectrum(base: base, samples: one, smeared: false),
                         model.spectrum(at: base, smeared: false), within: 0.001, "one sample")
    }

    @Test func slicesAddUpToTheWhole() {
        let model = SpectrumModel(beamline: Beamline(), grid: EnergyGrid(minGeV: 4.5, maxGeV: 7, binWidthGeV: 0.02, beamEnergyGeV: 11.6))
        let base = CrystalOrientation(thetaHMilliradians: 1.2296, thetaVMilliradians: 50)
        let samples = Self.gaussianTilts(rmsH: 0.05, rmsV: 0.05)
        let whole = model.coherentSum(base: base, samples: samples)
        let half = samples.count / 2
        let parts = model.coherentSum(base: base, samples: samples[..<half]) + model.coherentSum(base: base, samples: samples[half...])
        #expect(abs(parts.totalWeight - whole.totalWeight) < 1e-12 * whole.totalWeight)
        for i in whole.coherent.indices {
            #expect(abs(parts.coherent[i] - whole.coherent[i]) <= 1e-12 * whole.coherent.max()!)
        }
    }

    @Test func weightsAreNormalised() {
        let model = SpectrumModel(beamline: Beamline(), grid: EnergyGrid(minGeV: 4.5, maxGeV: 7, binWidthGeV: 0.02, beamEnergyGeV: 11.6))
        let base = CrystalOrientation(thetaHMilliradians: 1.2296, thetaVMilliradians: 50)
        let samples = Self.gaussianTilts(rmsH: 0.05, rmsV: 0.05)
        let scaled = samples.map { TiltSample(thetaHOffsetRadians: $0.thetaHOffsetRadians, thetaVOffsetRadians: $0.thetaVOffsetRadians, weight: $0.weight * 37) }
        let a = model.spectrum(base: base, samples: samples), b = model.spectrum(base: base, samples: scaled)
        for i in a.coherent.indices { #expect(abs(a.coherent[i] - b.coherent[i]) <= 1e-9 * a.coherent[i] + 1e-30) }
    }
}
