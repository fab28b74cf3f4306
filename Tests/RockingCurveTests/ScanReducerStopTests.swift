import Foundation
import RockingCurve
import RockingScan
import Synchronization
import Testing

/// Issue #22: a reduction whose caller went away stops between tiles (`ReduceSettings.shouldStop`)
/// instead of reducing the rest of the scan.
@Suite struct ScanReducerStopTests {
    @Test func aStoppedReductionThrowsAndReducesNoMoreTiles() throws {
        let folder = try ScanFolder.write("stop")
        defer { ScanFolder.remove(folder) }
        let input = try ScanInput.open(directory: folder)
        let tiles = Atomic(0)
        var settings = ReduceSettings()
        settings.motor = .off
        settings.workers = 1
        settings.bandBytes = input.bytesPerBandRow  // one row per band: 24 bands, one tile each
        settings.reduceTile = { (t, f, o) throws(RockingCurveError) in
            tiles.add(1, ordering: .relaxed)
            return try TileReduction.reduce(t, frames: f, options: o)
        }
        settings.shouldStop = { tiles.load(ordering: .relaxed) >= 3 }
        #expect(throws: ScanError(ScanReducerStopTests.stopped)) { try ScanReducer.reduce(input, settings: settings) }
        #expect(tiles.load(ordering: .relaxed) == 3, "no tile was reduced after the stop")
        settings.shouldStop = { false }
        let whole = try ScanReducer.reduce(input, settings: settings)
        #expect(whole.width == 24 && tiles.load(ordering: .relaxed) == 3 + 24)
    }

    static let stopped = "the reduction was stopped: its caller went away or its deadline passed"
}
