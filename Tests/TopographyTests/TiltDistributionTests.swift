import Foundation
import Physics
import Testing
@testable import Topography

@Suite struct TiltDistributionTests {
    let spot = BeamSpot(sigmaXMillimeters: 1.0, sigmaYMillimeters: 0.5, correlation: -0.6, stepMillimeters: 0.02)
    let histogram = TiltHistogramSpec(rangeMilliradians: 1, binMilliradians: 0.01)

    @Test func aFlatCrystalGivesASingleBin() {
        let view = Fixture.view(size: 12) { _, _ in (42, -17) }
        let t = TiltDistribution(view: view, placement: RadiatorPlacement(), spot: spot, histogram: histogram)
        #expect(t.samples.count == 1)
        #expect(abs(t.weights.max()! - 1) < 1e-12)
        #expect(abs(t.meanThetaHMilliradians - 0.042) < 1e-9 && abs(t.meanThetaVMilliradians + 0.017) < 1e-9)
        #expect(t.rmsThetaHMilliradians < 1e-7, "zero up to rounding")
        #expect(abs(t.fractionOnCrystal - 1) < 1e-12)
    }

    /// θH = a·y, θV = b·x under a Gaussian spot: Gaussian tilts with σH = |a|σy, σV = |b|σx, correlation sign(ab)·ρ.
    @Test func aUniformGradientGivesThePredictedGaussian() {
        let a = 40.0, b = -25.0  // µrad/mm
        let view = Fixture.view { x, y in (a * y, b * x) }
        let t = TiltDistribution(view: view, placement: RadiatorPlacement(), spot: spot, histogram: histogram)
        #expect(abs(t.rmsThetaHMilliradians - abs(a) * 0.5e-3) / (abs(a) * 0.5e-3) < 0.01)
        #expect(abs(t.rmsThetaVMilliradians - abs(b) * 1.0e-3) / (abs(b) * 1.0e-3) < 0.01)
        // Correlation from the orientation list.
        var shv = 0.0
        for s in t.samples { shv += s.weight * (s.thetaHOffsetRadians * 1e3 - t.meanThetaHMilliradians) * (s.thetaVOffsetRadians * 1e3 - t.meanThetaVMilliradians) }
        let correlation = shv / (t.rmsThetaHMilliradians * t.rmsThetaVMilliradians)
        #expect(abs(correlation - (-0.6 * -1)) < 0.02, "sign(a·b)·ρ = +0.6, got \(correlation)")
        #expect(abs(t.weights.reduce(0, +) - 1) < 1e-9)
        #expect(t.fractionOutsideHistogram < 1e-9)
        // A histogram too narrow for the spread says how much it leaves out; the orientation list keeps all of it.
        let narrow = TiltDistribution(view: view, placement: RadiatorPlacement(), spot: spot,
                                      histogram: TiltHistogramSpec(rangeMilliradians: 0.02, binMilliradians: 0.001))
        #expect(narrow.fractionOutsideHistogram > 0.2)
        #expect(abs(narrow.samples.reduce(0) { $0 + $1.weight } - 1) < 1e-9)
    }

    @Test func aSpotHalfOverTheEdgePutsHalfTheBeamOff() {
        let view = Fixture.view(crystal: { x, _ in x <= 0 }) { _, _ in (0, 0) }
        // Beam at the lab origin; the crystal edge (x = 0 of the radiator) moved onto it.
        let round = BeamSpot(sigmaXMillimeters: 0.5, sigmaYMillimeters: 0.5, correlation: 0, stepMillimeters: 0.02)
        let t = TiltDistribution(view: view, placement: RadiatorPlacement(), spot: round, histogram: histogram)
        #expect(abs(t.fractionOnCrystal - 0.5) < 0.02)
        #expect(abs(t.fractionOutside - 0.5) < 0.02)
    }

    @Test func aSpotOnTheTabIsCountedOnTheMount() {
        let view = Fixture.view(mount: { x, y in x > 2 && y < -2 }) { _, _ in (0, 0) }
        let small = BeamSpot(sigmaXMillimeters: 0.2, sigmaYMillimeters: 0.2, correlation: 0, stepMillimeters: 0.01)
        // Radiator point (3, -3) under the beam: shift the radiator by (−3, +3).
        let t = TiltDistribution(view: view, placement: RadiatorPlacement(xOffsetMillimeters: -3, yOffsetMillimeters: 3), spot: small, histogram: histogram)
        #expect(t.fractionOnMount > 0.999)
        #expect(t.fractionOnCrystal < 0.001)
    }

    /// The picture and the physics agree: a defect placed in the topograph is under the spot when the radiator is moved to put it there.
    @Test(arguments: [0.0, 90.0, 37.0, -120.0])
    func aDefectIsFoundUnderTheSpotWhenMovedThere(phi: Double) {
        let defect = (x: 2.0, y: 1.0)
        let view = Fixture.view { x, y in
            (x - defect.x) * (x - defect.x) + (y - defect.y) * (y - defect.y) < 0.3 * 0.3 ? (500, 300) : (0, 0)
        }
        var placement = RadiatorPlacement(rotationDegrees: phi)
        // Where does the defect appear in the lab with no shift? Shift by minus that.
        let lab = placement.labPoint(radiatorX: defect.x, radiatorY: defect.y, centre: view.grid.centre)
        placement.xOffsetMillimeters = -lab.x
        placement.yOffsetMillimeters = -lab.y
        let small = BeamSpot(sigmaXMillimeters: 0.05, sigmaYMillimeters: 0.05, correlation: 0, stepMillimeters: 0.01)
        let t = TiltDistribution(view: view, placement: placement, spot: small, histogram: histogram)
        #expect(abs(t.meanThetaHMilliradians - 0.5) < 1e-3, "φ = \(phi): mean θH \(t.meanThetaHMilliradians)")
        #expect(abs(t.meanThetaVMilliradians - 0.3) < 1e-3)
        // And nowhere near it, no defect.
        let away = TiltDistribution(view: view, placement: RadiatorPlacement(rotationDegrees: phi), spot: small, histogram: histogram)
        #expect(abs(away.meanThetaHMilliradians) < 1e-6)
    }

    @Test func ninetyDegreesSwapsTheRolesOfSigmaXAndSigmaY() {
        let a = 40.0
        let view = Fixture.view { _, y in (a * y, 0) }
        let t0 = TiltDistribution(view: view, placement: RadiatorPlacement(), spot: spot, histogram: histogram)
        let t90 = TiltDistribution(view: view, placement: RadiatorPlacement(rotationDegrees: 90), spot: spot, histogram: histogram)
        #expect(abs(t0.rmsThetaHMilliradians - a * 0.5e-3) < 0.01 * a * 0.5e-3)
        #expect(abs(t90.rmsThetaHMilliradians - a * 1.0e-3) < 0.01 * a * 1.0e-3)
    }

    @Test func mirroredViewsBehaveAsMirrors() {
        let view = Fixture.view { x, y in (30 * y + 10 * x * x, -20 * x + 5 * y * x) }
        let back = view.mirrored()
        let placement = RadiatorPlacement(xOffsetMillimeters: 1.3, yOffsetMillimeters: -0.7)
        let mirrorPlacement = RadiatorPlacement(xOffsetMillimeters: -1.3, yOffsetMillimeters: -0.7)
        let mirrorSpot = BeamSpot(sigmaXMillimeters: 1, sigmaYMillimeters: 0.5, correlation: 0.6, stepMillimeters: 0.02)
        let f = TiltDistribution(view: view, placement: placement, spot: spot, histogram: histogram)
        let b = TiltDistribution(view: back, placement: mirrorPlacement, spot: mirrorSpot, histogram: histogram)
        #expect(abs(f.meanThetaHMilliradians + b.meanThetaHMilliradians) < 1e-5)
        #expect(abs(f.meanThetaVMilliradians - b.meanThetaVMilliradians) < 1e-5)
        #expect(abs(f.rmsThetaHMilliradians - b.rmsThetaHMilliradians) < 1e-5)
        #expect(abs(f.fractionOnCrystal - b.fractionOnCrystal) < 1e-9)
        #expect(back.mirrored() == view, "mirroring twice is the identity")
    }

    @Test func theOverlayPeaksUnderTheBeam() {
        let view = Fixture.view { _, _ in (0, 0) }
        let t = TiltDistribution(view: view, placement: RadiatorPlacement(xOffsetMillimeters: 1, yOffsetMillimeters: 0), spot: spot, histogram: histogram)
        let peak = t.overlay.indices.max { t.overlay[$0] < t.overlay[$1] }!
        let g = view.grid
        // Shifting the radiator by +1 mm puts the beam at radiator x = −1 mm.
        #expect(abs(g.x(column: peak % g.columns) + 1) < 0.03)
        #expect(abs(g.y(row: peak / g.columns)) < 0.03)
    }
}
