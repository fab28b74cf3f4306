import RockingCurve
import RockingScanSimulation
import Testing

/// `hbase` is written where the background was measured, so part 2 can see the mount: the mount's shadow and
/// the empty frame (too_weak) carry their own background level, while every peak-derived map stays NaN there
/// and dead/hot pixels keep NaN everywhere.
@Suite struct MeasuredBackgroundTests {
    @Test func mountAndEmptyFrameCarryTheirBackgroundButNoPeak() throws {
        let scan = try SimulatedScanFixture { $0.mountBackgroundCounts = 90; $0.hotPixelFraction = 0.01; $0.deadPixelFraction = 0.01 }
        let all = try CurveTile(pixelCount: scan.rows.count * scan.width, frameCount: scan.frames.count,
                                counts: scan.rows.flatMap(\.counts), dark: scan.rows.flatMap { $0.dark! })
        let options = try ReductionOptions(method: .moments).derivingHotThreshold(from: all, frames: scan.frames)
        let tiles = try scan.reduce(options: options).maps
        let validity = tiles.flatMap(\.validity), background = tiles.flatMap(\.background), position = tiles.flatMap(\.position)
        let sigma = tiles.flatMap(\.sigma), amplitude = tiles.flatMap(\.amplitude), integral = tiles.flatMap(\.integral)
        let kinds = scan.simulation.truth.kind
        func median(_ kind: SimulatedPixel) -> Float {
            let v = kinds.indices.filter { kinds[$0] == kind && validity[$0] == .tooWeak }.map { background[$0] }.sorted()
            return v.isEmpty ? .nan : v[v.count / 2]
        }
        // The simulator's background: 40 counts in the empty frame, 90 under the mount (at the first monitor).
        #expect(abs(median(.outside) - 40) < 4, "empty frame hbase \(median(.outside))")
        #expect(abs(median(.mount) - 90) < 6, "mount hbase \(median(.mount))")
        for i in kinds.indices where validity[i] != .valid {
            #expect(position[i].isNaN && sigma[i].isNaN && amplitude[i].isNaN && integral[i].isNaN)
            switch validity[i] {
            case .dead, .hot, .saturated: #expect(background[i].isNaN)
            case .tooWeak: #expect(background[i].isFinite)
            default: break
            }
        }
    }
}
