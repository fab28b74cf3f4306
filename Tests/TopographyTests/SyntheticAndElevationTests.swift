import Foundation
import Testing
@testable import Topography

@Suite struct SyntheticRadiatorTests {
    @Test func catalogueSpansExcellentToPoorWithBothViews() throws {
        let all = SyntheticRadiators.all
        #expect(all.count >= 6)
        let rms = all.map { $0.views[0].crystalStatistics.rms }
        #expect(rms.min()! < 20, "an excellent crystal, rms tilt ~10 µrad")
        #expect(rms.max()! > 100, "a poor crystal, rms tilt 100+ µrad")
        for r in all {
            try r.validate()
            #expect(r.view(.front) != nil && r.view(.back) != nil)
            #expect(r.views[0].mask.contains(.mount), "\(r.name) has its mounting tab")
            #expect(r.view(.back) == r.view(.front)!.mirrored())
        }
    }

    @Test func generatorIsDeterministic() {
        #expect(SyntheticRadiators.all == SyntheticRadiators.all)
    }
}

@Suite struct ElevationMapTests {
    /// A spherical bow z = (x² + y²)/(2R): tilts θH = ∂z/∂y = y/R, θV = −∂z/∂x = −x/R.
    @Test func recoversABowedSurface() {
        let curvature = 20.0  // µrad per mm, i.e. 1/R in nm per mm²
        let view = Fixture.view(size: 4, pixel: 0.05) { x, y in (curvature * y, -curvature * x) }
        let z = ElevationMap.compute(view)
        let g = view.grid
        func at(_ x: Double, _ y: Double) -> Double {
            Double(z[g.index(column: Int(((x - g.originXMillimeters) / g.pixelMillimeters).rounded()), row: Int(((y - g.originYMillimeters) / g.pixelMillimeters).rounded()))])
        }
        // Differences cancel the arbitrary constant.
        let expected = curvature * (1.5 * 1.5) / 2  // z(1.5, 0) − z(0, 0), nm
        #expect(abs((at(1.5, 0) - at(0, 0)) - expected) < 0.02 * expected)
        #expect(abs((at(0, -1.5) - at(0, 0)) - expected) < 0.02 * expected)
    }
}
