import Foundation
import Testing
import Topography
@testable import RadiatorBuild

/// Alignment recovers the residual shift, rotation, scale and walk of simulated scans within the targets:
/// 0.2 pixel, 0.05°, 0.1 %.
struct AlignmentTests {
    func aligner(_ crystal: SimulatedCrystal, reference: ScanRecipe) throws -> (Aligner, PreparedScan) {
        let ref = try PreparedScan(crystal.scan(reference))
        return (Aligner(reference: ref, walk: 0), ref)
    }

    @Test(arguments: [
        (0.155, -0.11, 2.3, 1.012, ViewSide.front, 0.0, false),
        (-0.25, 0.2, -4.1, 0.991, ViewSide.back, 180.0, true),
    ])
    func findsShiftRotationAndScale(shiftX: Double, shiftY: Double, rotation: Double, scale: Double, face: ViewSide, sampleRotation: Double, mirror: Bool) throws {
        let crystal = SimulatedCrystal.bow()
        let (aligner, _) = try aligner(crystal, reference: .standard("fh", .thetah, .front))
        var recipe = ScanRecipe.standard("s", .thetav, face, rotation: sampleRotation, mirror: mirror)
        recipe.shiftX = shiftX; recipe.shiftY = shiftY; recipe.rotationDegrees = rotation; recipe.scale = scale
        recipe.centreX = aligner.centre.x; recipe.centreY = aligner.centre.y
        recipe.seed = 7
        let scan = try PreparedScan(crystal.scan(recipe))
        let found = aligner.align(scan, overrides: ScanOverrides(), rotationSearchDegrees: 10)
        let p = aligner.grid.pixel
        #expect(abs(found.similarity.shiftX - shiftX) / p < 0.2, "shift x \(found.similarity.shiftX / p) px, truth \(shiftX / p)")
        #expect(abs(found.similarity.shiftY - shiftY) / p < 0.2, "shift y \(found.similarity.shiftY / p) px, truth \(shiftY / p)")
        #expect(abs(found.similarity.rotation * 180 / .pi - rotation) < 0.05, "rotation \(found.similarity.rotation * 180 / .pi)°, truth \(rotation)°")
        #expect(abs(found.similarity.scale / scale - 1) < 0.001, "scale \(found.similarity.scale), truth \(scale)")
        #expect(found.correlation > 0.99, "walk \(found.walk) corr \(found.correlation) rms \(found.residualRMS)")
        #expect(abs(found.walk) < 0.05, "no walk was simulated, found \(found.walk) mm/mrad")
    }
}
