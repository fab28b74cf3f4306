import RockingCurve
import RockingScanSimulation
import Testing

/// The validity mask against the simulator's pixel kinds: dead and hot camera pixels, the mount's
/// shadow and the space beside the crystal are rejected with their reason; the crystal is kept.
@Suite struct ValidityMaskTests {
    @Test func masksMatchDeadHotMountAndOutsidePixels() throws {
        let scan = try SimulatedScanFixture { $0.hotPixelFraction = 0.01; $0.deadPixelFraction = 0.01 }
        let all = try CurveTile(pixelCount: scan.rows.count * scan.width, frameCount: scan.frames.count,
                                counts: scan.rows.flatMap(\.counts), dark: scan.rows.flatMap { $0.dark! })
        let options = try ReductionOptions(method: .moments).derivingHotThreshold(from: all, frames: scan.frames)
        #expect(options.hotBackgroundCounts.isFinite)
        let validity = try scan.reduce(options: options).validity
        let kinds = scan.simulation.truth.kind
        var byKind: [SimulatedPixel: [PixelValidity: Int]] = [:]
        for i in kinds.indices { byKind[kinds[i], default: [:]][validity[i], default: 0] += 1 }
        #expect((byKind[.dead] ?? [:]).keys.allSatisfy { $0 == .dead })
        #expect((byKind[.hot] ?? [:]).keys.allSatisfy { $0 == .hot || $0 == .saturated })
        #expect((byKind[.dead]?[.dead] ?? 0) > 5)
        #expect((byKind[.hot]?[.hot] ?? 0) > 5)
        #expect((byKind[.mount]?[.tooWeak] ?? 0) > 20)
        #expect(byKind[.mount]?[.valid] == nil)
        #expect(byKind[.outside]?[.valid] == nil)
        let crystal = byKind[.crystal] ?? [:]
        let crystalTotal = crystal.values.reduce(0, +)
        #expect(Double(crystal[.valid] ?? 0) > 0.97 * Double(crystalTotal))
    }

    @Test func aPeakAtTheScansEndIsFlagged() throws {
        // Peaks shifted to the scan's first frames.
        let scan = try SimulatedScanFixture { $0.peakOffsetMicroradians = -115; $0.hotPixelFraction = 0; $0.deadPixelFraction = 0 }
        let validity = try scan.reduce(options: ReductionOptions()).validity
        let crystal = validity.indices.filter { scan.simulation.truth.kind[$0] == .crystal }
        var reasons: [PixelValidity: Int] = [:]
        for i in crystal { reasons[validity[i], default: 0] += 1 }
        #expect(crystal.allSatisfy { validity[$0] != .valid })
        #expect(crystal.filter { validity[$0] == .peakAtScanEnd }.count > crystal.count / 2)
    }

    @Test func saturatedCurvesAreFlagged() throws {
        let scan = try SimulatedScanFixture { $0.peakCounts = 150_000; $0.hotPixelFraction = 0; $0.deadPixelFraction = 0 }
        let validity = try scan.reduce(options: ReductionOptions()).validity
        let crystal = validity.indices.filter { scan.simulation.truth.kind[$0] == .crystal }
        #expect(crystal.allSatisfy { validity[$0] == .saturated })
    }
}
