import Foundation
import Testing
@testable import Physics

/// Properties the physics must have whatever the configuration.
@Suite struct PhysicalInvariantTests {
    struct Config: Sendable, CustomStringConvertible {
        var energy: Double, edge: Double, plane: PolarizationPlane
        var thicknessMicrons = 50.0, diameterMm = 3.4, crystal = Crystal.diamond
        var description: String { "\(crystal.name) \(energy) GeV edge \(edge) \(plane) t=\(thicknessMicrons)µm d=\(diameterMm)mm" }

        var beamline: Beamline {
            Beamline(beamEnergyGeV: energy, beamEnergySpreadGeV: 0, collimatorDiameterMeters: diameterMm * 1e-3,
                     radiatorThicknessMeters: thicknessMicrons * 1e-6, crystal: crystal)
        }
        var grid: EnergyGrid {
            EnergyGrid(minGeV: edge * 0.6, maxGeV: min(edge * 1.3, energy * 0.97), binWidthGeV: energy / 600, beamEnergyGeV: energy)
        }
        var orientation: CrystalOrientation {
            let o = try! EdgeSnapping.orientation(edgeGeV: edge, plane: plane, beamEnergyGeV: energy, crystal: crystal)
            return CrystalOrientation(thetaHMilliradians: o.thetaH, thetaVMilliradians: o.thetaV)
        }
    }

    static let configs: [Config] = [
        Config(energy: 11.6, edge: 6, plane: .para),
        Config(energy: 11.6, edge: 8.5, plane: .perp),
        Config(energy: 12, edge: 3, plane: .para, thicknessMicrons: 100),
        Config(energy: 8.5, edge: 4, plane: .perp, diameterMm: 5),
        Config(energy: 5.5, edge: 2, plane: .para, thicknessMicrons: 20),
        Config(energy: 11.6, edge: 6, plane: .para, crystal: .silicon),
    ]

    @Test(arguments: configs)
    func polarizationIsAFractionAndEnhancementAtLeastOne(_ c: Config) {
        let s = SpectrumModel(beamline: c.beamline, grid: c.grid).spectrum(at: c.orientation)
        #expect(!s.energyGeV.isEmpty)
        for i in s.energyGeV.indices {
            #expect(s.polarization[i] >= 0 && s.polarization[i] <= 1, "polarization at \(s.energyGeV[i])")
            #expect(s.enhancement[i] >= 1, "enhancement at \(s.energyGeV[i])")
            #expect(s.coherent[i] >= 0 && s.incoherent[i] > 0 && s.coherentPolarized[i] >= 0)
        }
        #expect(s.polarization.max()! > 0.1, "a coherent peak should be strongly polarized")
    }

    /// The snapped orientation puts the primary edge, the biggest one-bin cliff of the raw coherent spectrum, at the requested energy.
    @Test(arguments: configs)
    func snappingPutsTheEdgeWhereAsked(_ c: Config) {
        let s = SpectrumModel(beamline: c.beamline, grid: c.grid).spectrum(at: c.orientation, smeared: false)
        let drops = (0..<(s.coherent.count - 1)).map { s.coherent[$0] - s.coherent[$0 + 1] }
        let i = drops.indices.max { drops[$0] < drops[$1] }!
        let width = c.grid.binWidthGeV
        // The edge lies between the last bin centre below it and the first above it, give or take the snap's rounded q.
        #expect(abs((s.energyGeV[i] + s.energyGeV[i + 1]) / 2 - c.edge) <= 1.5 * width,
                "cliff between \(s.energyGeV[i]) and \(s.energyGeV[i + 1]) GeV, asked \(c.edge)")
    }

    @Test func paraAndPerpGiveTheSameSpectrumWithTheirOwnPlanes() {
        let para = Config(energy: 11.6, edge: 6, plane: .para), perp = Config(energy: 11.6, edge: 6, plane: .perp)
        let model = SpectrumModel(beamline: para.beamline, grid: para.grid)
        let a = model.spectrum(at: para.orientation), b = model.spectrum(at: perp.orientation)
        #expect(a.coherentPeakEnergyGeV == b.coherentPeakEnergyGeV)
        for i in a.energyGeV.indices {
            #expect(abs(a.polarization[i] - b.polarization[i]) < 0.01, "at \(a.energyGeV[i]) GeV")
        }
    }

    @Test func ratesScaleLinearlyWithCurrentAndThickness() {
        let grid = EnergyGrid(minGeV: 4.5, maxGeV: 7, binWidthGeV: 0.02, beamEnergyGeV: 11.6)
        let o = CrystalOrientation(thetaHMilliradians: 1.2296, thetaVMilliradians: 50)
        let base = Beamline(collimated: false)
        var doubled = base
        doubled.beamCurrentMicroamps *= 2
        doubled.radiatorThicknessMeters *= 2
        // Uncollimated and unsmeared, thickness enters only as the number of atoms.
        let a = SpectrumModel(beamline: base, grid: grid).spectrum(at: o, smeared: false)
        let b = SpectrumModel(beamline: doubled, grid: grid).spectrum(at: o, smeared: false)
        for i in a.energyGeV.indices {
            #expect(abs(b.coherent[i] / a.coherent[i] - 4) < 1e-9)
            #expect(abs(b.incoherent[i] / a.incoherent[i] - 4) < 1e-9)
            #expect(abs(b.polarization[i] - a.polarization[i]) < 1e-12)
        }
        var currentOnly = base
        currentOnly.beamCurrentMicroamps = 7.3
        let c = SpectrumModel(beamline: currentOnly, grid: grid).spectrum(at: o)
        let d = SpectrumModel(beamline: base, grid: grid).spectrum(at: o)
        for i in c.energyGeV.indices { #expect(abs(c.total[i] / d.total[i] - 7.3 / 2.2) < 1e-9) }
    }

    @Test func collimationOnlyRemovesPhotons() {
        let grid = EnergyGrid(minGeV: 4.5, maxGeV: 7, binWidthGeV: 0.02, beamEnergyGeV: 11.6)
        let o = CrystalOrientation(thetaHMilliradians: 1.2296, thetaVMilliradians: 50)
        let collimated = SpectrumModel(beamline: Beamline(), grid: grid).spectrum(at: o, smeared: false)
        let open = SpectrumModel(beamline: Beamline(collimated: false), grid: grid).spectrum(at: o, smeared: false)
        for i in open.energyGeV.indices {
            #expect(collimated.coherent[i] <= open.coherent[i] * (1 + 1e-12))
            #expect(collimated.incoherent[i] < open.incoherent[i])
        }
    }

    @Test func smearingConservesTheCoherentIntegralAwayFromTheWindowEnds() {
        let grid = EnergyGrid(minGeV: 3, maxGeV: 9, binWidthGeV: 0.02, beamEnergyGeV: 11.6)
        let model = SpectrumModel(beamline: Beamline(), grid: grid)
        let o = CrystalOrientation(thetaHMilliradians: 1.2296, thetaVMilliradians: 50)
        let raw = model.spectrum(at: o, smeared: false), smeared = model.spectrum(at: o)
        let a = raw.coherent.reduce(0, +), b = smeared.coherent.reduce(0, +)
        #expect(abs(a - b) / a < 0.01)
        #expect(smeared.coherent.max()! < raw.coherent.max()!, "smearing lowers the peak")
    }
}
