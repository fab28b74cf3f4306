import Foundation
import Testing
import Topography
@testable import RadiatorBuild

/// A scan and its complementary scan (sample turned by 180°): half the difference is tilt, half the sum the
/// d-spacing term, and both come out as maps.
struct ComplementaryTests {
    @Test func halfDifferenceIsTiltAndHalfSumIsTheDSpacingTerm() throws {
        let crystal = SimulatedCrystal.bow()
        let centre = try BuildTests.centre(crystal)
        // A d-spacing term (−tan θ_B · Δd/d, µrad) with a ramp and a bump: it does not change sign when the sample turns.
        let dSpacing: @Sendable (Double, Double) -> Double = { x, y in 3 * x + 8 * exp(-((x + 0.5) * (x + 0.5) + (y - 0.6) * (y - 0.6)) / 0.3) }
        var fh = ScanRecipe.standard("fh", .thetah, .front)
        fh.dSpacing = dSpacing; fh.seed = 21
        var back = ScanRecipe.standard("fh-180", .thetah, .front, rotation: 180, complementary: true)
        back.dSpacing = dSpacing; back.shiftX = 0.08; back.rotationDegrees = -1.1; back.seed = 22
        var fv = ScanRecipe.standard("fv", .thetav, .front)
        fv.shiftY = -0.06; fv.rotationDegrees = 0.7; fv.seed = 23
        let recipes = [fh, back, fv].map { var r = $0; r.centreX = centre.x; r.centreY = centre.y; return r }
        let result = try RadiatorBuilder.build(recipes.map(crystal.scan), options: BuildOptions(name: "complementary", thicknessMicrons: 50))

        let front = try #require(result.radiator.view(.front))
        let report = result.report
        let truth = BuildTests.truthView(crystal, like: front, centre: (report.centre_in_reference_x_mm, report.centre_in_reference_y_mm))
        let d = try #require(result.diagnostic("d-spacing thetah front"))
        let interior = MaskOperations.eroded(front.mask.map { $0 == .crystal }, width: front.grid.columns, height: front.grid.rows, radius: 2)
        var tiltErrors: [Double] = [], dErrors: [(found: Double, truth: Double)] = []
        for i in 0..<front.grid.count where interior[i] && truth.mask[i] == .crystal {
            tiltErrors.append(Double(front.thetaHMicroradians[i] - truth.thetaHMicroradians[i]))
            let x = front.grid.x(column: i % front.grid.columns) + report.centre_in_reference_x_mm
            let y = front.grid.y(row: i / front.grid.columns) + report.centre_in_reference_y_mm
            dErrors.append((Double(d.values[i]), dSpacing(x, y)))
        }
        let tiltRMS = (tiltErrors.reduce(0) { $0 + $1 * $1 } / Double(tiltErrors.count)).squareRoot()
        #expect(tiltRMS < 1, "θH error rms \(tiltRMS) µrad: the d-spacing term must not leak into the tilt")
        // The d-spacing map is relative (its crystal mean removed, like the tilts).
        let meanFound = dErrors.reduce(0) { $0 + $1.found } / Double(dErrors.count), meanTruth = dErrors.reduce(0) { $0 + $1.truth } / Double(dErrors.count)
        let dRMS = (dErrors.reduce(0) { $0 + pow($1.found - meanFound - ($1.truth - meanTruth), 2) } / Double(dErrors.count)).squareRoot()
        #expect(dRMS < 0.5, "d-spacing error rms \(dRMS) µrad")
        let comp = try #require(report.scans.first { $0.complementary })
        #expect(abs(comp.rotation_deg + 1.1) < 0.05 && abs(comp.shift_x_mm - 0.08) / report.pixel_mm < 0.2, "\(comp.verdict)")
    }
}
