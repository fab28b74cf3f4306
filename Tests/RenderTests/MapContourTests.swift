import Foundation
import Testing
@testable import Render

@Suite struct MapContourTests {
    /// A 40 × 20 map rising 1 per cell in x: value i + 0.5 in column i, so level L lies at x = L − 0.5.
    static func ramp(contours: Double?) -> MapPlot {
        let values = (0..<800).map { Double($0 % 40) + 0.5 }
        var m = MapPlot(title: ["ramp"], xTitle: "x", yTitle: "y", zTitle: "z",
                        grid: .init(x0: 0, y0: 0, dx: 1, dy: 1, columns: 40, rows: 20), values: values)
        m.contourInterval = contours
        return m
    }

    static func brightness(_ c: Canvas, _ x: Int, _ y: Int) -> Double { let p = c.pixel(x: x, y: y); return p.r + p.g + p.b }

    @Test func contoursOfARampAreDarkLinesAtTheLevelsAndNowhereElse() {
        let plain = Self.ramp(contours: nil).render(), lined = Self.ramp(contours: 10).render()
        let frame = Self.ramp(contours: 10).layout()
        let levelX = [10.0, 20, 30].map { frame.px($0 - 0.5) }
        // Rows through the middle of the map (data y 2 … 17), away from the grid's first and last centres.
        let rows = Int(frame.py(17).rounded(.up))...Int(frame.py(2).rounded(.down))
        for x in levelX {
            for y in rows {
                let near = (Int(x) - 1)...(Int(x) + 1)
                let darkest = near.map { Self.brightness(lined, $0, y) }.min() ?? 3
                let before = near.map { Self.brightness(plain, $0, y) }.min() ?? 0
                #expect(darkest <= 0.6 * before, "contour at px \(x), row \(y): \(darkest) vs \(before) without")
            }
        }
        // Every changed pixel lies on a level line: none between levels, none outside the map.
        var changed = 0, stray: [(Int, Int)] = []
        for y in 0..<plain.height {
            for x in 0..<plain.width where plain.pixel(x: x, y: y) != lined.pixel(x: x, y: y) {
                changed += 1
                if !levelX.contains(where: { abs(Double(x) + 0.5 - $0) <= 2 }) { stray.append((x, y)) }
            }
        }
        #expect(changed >= 3 * rows.count)
        #expect(stray.isEmpty, "pixels changed away from the level lines: \(stray.prefix(5))")
    }

    @Test func levelsAreTheIntervalsMultiplesWithinTheRangeAndBounded() {
        #expect(MapContours.levels(interval: 10, range: 3...35) == [10, 20, 30])
        #expect(MapContours.levels(interval: 0.5, range: -1...0.2) == [-1, -0.5, 0])
        #expect(MapContours.levels(interval: 10, range: 1...9) == [])
        #expect(MapContours.levels(interval: 1, range: 0...99)?.count == 100)
        #expect(MapContours.levels(interval: 1, range: 0...100.5) == nil, "101 levels")
        #expect(MapContours.levels(interval: 0, range: 0...1) == nil)
        #expect(MapContours.levels(interval: 1e-300, range: -1e30...1e30) == nil)
    }

    @Test func squaresWithACellWithoutDataDrawNothing() {
        // 3 × 2 corners rising in x; the cell (2, 1) has no data, so only the left square is traced.
        let v: [[Double?]] = [[0, 2, 4], [0, 2, nil]]
        var segments: [(Double, Double, Double, Double)] = []
        MapContours.trace(columns: 3, rows: 2, step: 1, levels: [1, 3], value: { i, j in v[j][i] }, segment: { segments.append(($0, $1, $2, $3)) })
        #expect(segments.count == 1)
        if let s = segments.first { #expect(s.0 == 0.5 && s.2 == 0.5 && Set([s.1, s.3]) == [0, 1], "level 1 halfway between x 0 and 1: \(s)") }
    }

    @Test func niceIntervalsAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(MapContours.niceInterval(range: 0...480) == 50)
        #expect(MapContours.niceInterval(range: -3...12) == 2)
        #expect(MapContours.niceInterval(range: 0...1) == 0.1)
        #expect(MapContours.niceInterval(range: 0...1.7) == 0.2)
        #expect(MapContours.niceInterval(range: 5...5) == nil)
        #expect(MapContours.label(50) == "50" && MapContours.label(0.2) == "0.2")
        // A large grid is sampled so squares × levels stay bounded.
        let s = MapContours.step(columns: 4000, rows: 4000, levels: 100)
        func squares(_ s: Int) -> Double { Double(3999 / s + 1) * Double(3999 / s + 1) }
        #expect(squares(s) * 100 <= Double(MapContours.maxWork))
        #expect(squares(s - 1) * 100 > Double(MapContours.maxWork), "the smallest such step")
        #expect(MapContours.step(columns: 40, rows: 20, levels: 100) == 1)
    }
}
