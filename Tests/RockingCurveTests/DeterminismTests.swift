import Foundation
import RockingCurve
import Testing

/// A tile's maps depend only on its own pixels: the same input gives identical maps, and any split
/// of the pixels into tiles gives the same maps bit for bit (what lets nodes reduce tiles).
@Suite struct DeterminismTests {
    @Test func tilingDoesNotChangeAnyBit() throws {
        let scan = try SimulatedScanFixture { $0.height = 6 }
        let n = scan.frames.count
        let whole = try CurveTile(pixelCount: 6 * scan.width, frameCount: n, counts: scan.rows.flatMap(\.counts), dark: scan.rows.flatMap { $0.dark! })
        for method in PeakMethod.allCases {
            let options = ReductionOptions(method: method)
            let once = try TileReduction.reduce(whole, frames: scan.frames, options: options)
            let again = try TileReduction.reduce(whole, frames: scan.frames, options: options)
            #expect(once.position.map(\.bitPattern) == again.position.map(\.bitPattern))
            // Odd-sized tiles.
            var pieces: [TileMaps] = []
            var start = 0
            for size in [1, 37, 100, 150] where start < whole.pixelCount {
                let count = min(size, whole.pixelCount - start)
                let part = try CurveTile(pixelCount: count, frameCount: n, counts: Array(whole.counts[(start * n)..<((start + count) * n)]),
                                         dark: Array(whole.dark![start..<(start + count)]))
                pieces.append(try TileReduction.reduce(part, frames: scan.frames, options: options))
                start += count
            }
            #expect(start == whole.pixelCount)
            for name in MapName.allCases {
                #expect(pieces.flatMap { $0.values(name) }.map(\.bitPattern) == once.values(name).map(\.bitPattern), "\(method) \(name)")
            }
            #expect(pieces.flatMap(\.validity) == once.validity)
        }
    }

    @Test func refusesTilesThatDoNotFitTheirFrames() throws {
        let frames = try ScanFrames(anglesMicroradians: (0..<10).map(Double.init))
        let tile = try CurveTile(pixelCount: 1, frameCount: 9, counts: [Float](repeating: 1, count: 9))
        #expect(throws: RockingCurveError.self) { try TileReduction.reduce(tile, frames: frames, options: ReductionOptions()) }
        #expect(throws: RockingCurveError.self) { try CurveTile(pixelCount: 2, frameCount: 9, counts: [Float](repeating: 1, count: 9)) }
        #expect(throws: RockingCurveError.self) { try ScanFrames(anglesMicroradians: [0, 1, 2, 2, 3]) }
        #expect(throws: RockingCurveError.self) { try ScanFrames(anglesMicroradians: [0, 1, .nan, 3, 4]) }
        #expect(throws: RockingCurveError.self) { try ScanFrames(anglesMicroradians: [0, 1, 2, 3, 4], monitor: [1, 1, 0, 1, 1]) }
        // Frames that travel as JSON are checked on arrival.
        let good = try ScanFrames(anglesMicroradians: [0, 1, 2, 3, 4], monitor: [2, 2, 1, 1, 1])
        #expect(try JSONDecoder().decode(ScanFrames.self, from: JSONEncoder().encode(good)) == good)
        let reversed = Data(#"{"angles_urad": [0, 1, 1, 3, 4], "monitor_scale": [1, 1, 1, 1, 1]}"#.utf8)
        #expect(throws: RockingCurveError.self) { try JSONDecoder().decode(ScanFrames.self, from: reversed) }
        let short = Data(#"{"angles_urad": [0, 1, 2, 3, 4], "monitor_scale": [1, 1]}"#.utf8)
        #expect(throws: RockingCurveError.self) { try JSONDecoder().decode(ScanFrames.self, from: short) }
    }
}
