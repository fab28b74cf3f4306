import Foundation
import Testing
import Topography
@testable import RadiatorBuild

/// The crystal's outline: no frame-fraction rule, hot pixels and spikes out, small voids filled, the mount.
struct MaskTests {
    /// A crystal covering 4 % of the frame keeps its outline (the original's 40 %-of-frame rule erased it).
    @Test func aSmallCrystalSurvives() throws {
        var small = SimulatedCrystal.bow()
        small.xRange = -0.5...0.5; small.yRange = -0.6...0.4; small.cut = 0.3
        let scan = try PreparedScan(small.scan(.standard("small", .thetah, .front)))
        let truth = 1.0 * 1.0 - 0.3 * 0.3 / 2  // mm²
        let found = Double(scan.crystalPixels) * 0.05 * 0.05
        #expect(abs(found / truth - 1) < 0.05, "crystal area \(found) mm², truth \(truth) mm²")
        #expect(Double(scan.crystalPixels) / Double(128 * 128) < 0.06)
    }

    /// Five hot pixels and six +200 µrad spikes put on the crystal are exactly what is removed.
    @Test func hotPixelsAndSpikesAreRemoved() throws {
        var recipe = ScanRecipe.standard("spiky", .thetah, .front)
        recipe.hotPixels = 0; recipe.spikes = 0; recipe.invalidFraction = 0
        var maps = SimulatedCrystal.bow().scan(recipe)
        let hot = [(40, 40), (60, 70), (80, 50), (50, 90), (90, 80)].map { $0.1 * 128 + $0.0 }
        let spikes = [(45, 60), (70, 40), (85, 85), (55, 55), (65, 95), (95, 65)].map { $0.1 * 128 + $0.0 }
        for i in hot { maps.intensity[i] = 60_000 }
        for i in spikes { maps.peakMicroradians[i] += 200 }
        let before = maps.peakMicroradians.filter(\.isFinite).count
        let scan = try PreparedScan(maps)
        #expect(scan.hotPixels == 5 && scan.spikes == 6, "\(scan.hotPixels) hot pixels, \(scan.spikes) spikes")
        #expect((hot + spikes).allSatisfy { !scan.peak[$0].isFinite })
        #expect(scan.peak.filter(\.isFinite).count == before - 11)
        #expect(hot.allSatisfy { scan.intensity[$0] < 2000 })
    }

    /// The glued tab (brighter baseline, no diffraction, touching the crystal) is found; a hand-drawn polygon replaces it.
    @Test func theMountIsDetectedOrGiven() throws {
        let crystal = SimulatedCrystal.bow()
        let scan = try PreparedScan(crystal.scan(.standard("fh", .thetah, .front)))
        let grid = WorkingGrid(reference: scan.geometry)
        let aligned = AlignedScan(scan, alignment: AlignmentResult(similarity: Similarity(), walk: 0, correlation: 1, residualRMS: 0, iterations: 0), grid: grid)
        let found = CrystalOutline.find(scans: [aligned], grid: grid, mountPolygon: nil, reference: scan.geometry)
        var truthMount = [Bool](repeating: false, count: grid.count), truthCrystal = truthMount
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                truthMount[row * grid.columns + column] = crystal.inMount(grid.x(column), grid.y(row))
                truthCrystal[row * grid.columns + column] = crystal.inCrystal(grid.x(column), grid.y(row))
            }
        }
        #expect(found.mountSource == "detected in the baseline")
        #expect(BuildTests.overlap(found.mount, truthMount) > 0.8)
        #expect(BuildTests.overlap(found.crystal, truthCrystal) > 0.97)
        // A polygon in the reference camera's pixels: the square of columns 10–30, rows 100–120 (bottom-left).
        let polygon = [CameraPoint(column: 10, row: 100), CameraPoint(column: 30, row: 100), CameraPoint(column: 30, row: 120), CameraPoint(column: 10, row: 120)]
        let given = CrystalOutline.find(scans: [aligned], grid: grid, mountPolygon: polygon, reference: scan.geometry)
        #expect(given.mountSource == "polygon")
        #expect(given.mount.filter { $0 }.count == 20 * 20)  // pixel centres on the polygon's edge count on one side only
        #expect(given.mount[(127 - 110) * grid.columns + 20] && !given.mount[(127 - 50) * grid.columns + 20])
    }
}
