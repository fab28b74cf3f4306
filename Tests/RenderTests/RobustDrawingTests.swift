import Foundation
import Testing
@testable import Render

/// Every drawing primitive takes any Double: non-finite input is ignored, shapes off the canvas are
/// clipped, nothing traps or runs long (issue 10 item 5: `Canvas.line` trapped on shapes off the canvas and NaN).
@Suite struct RobustDrawingTests {
    static let hostile: [Double] = [.nan, .infinity, -.infinity, 1e308, -1e308, 9.3e18, -9.3e18, 1e19, 5e-324, -7, 1e6, 0]

    func untouched(_ c: Canvas) -> Bool { c.pixels.allSatisfy { $0 == 255 } }

    @Test func primitivesIgnoreNonFiniteAndOffCanvasInput() {
        var c = Canvas(width: 40, height: 30)
        for a in Self.hostile {
            for b in Self.hostile {
                c.line(a, 5, b, 5, width: 2, .black)
                c.line(5, a, 5, b, width: 2, .black)
                c.line(a, b, b, a, width: 2, .black)
                c.fill(x0: a, y0: b, x1: b, y1: a, .black)
                c.polyline([(a, b), (b, a), (a, a)], width: 2, .black)
                c.text("x", x: a, y: b, size: 11)
                c.setClip(x0: a, y0: b, x1: b, y1: a)
                c.line(0, 0, 40, 30, width: a, .black)
                c.resetClip()
            }
        }
        // Shapes wholly off the canvas (the spot far off a 7 mm radiator; a mean beyond the histogram).
        c = Canvas(width: 40, height: 30)
        c.line(-500, -20, -400, -10, width: 3, .black)
        c.line(100, 10, 200, 12, width: 3, .black)
        c.line(10, 90, 12, 300, width: 3, .black)
        c.fill(x0: 50, y0: 40, x1: 60, y1: 50, .black)
        c.polyline([(-50, -50), (-40, -60), (-30, -50)], width: 2, .black)
        c.line(.nan, 10, 20, 10, width: 2, .black)
        c.polyline([(5, 5), (.nan, 5)], width: 2, .black)
        #expect(untouched(c), "nothing drawn for shapes off the canvas or with NaN")
    }

    @Test func aNonFinitePointBreaksAPolylineIntoTwo() {
        var c = Canvas(width: 60, height: 20)
        c.polyline([(2, 10), (20, 10), (.nan, .nan), (40, 10), (58, 10)], width: 2, .black)
        #expect(c.pixel(x: 10, y: 10).r < 0.2 && c.pixel(x: 50, y: 10).r < 0.2, "both finite pieces drawn")
        #expect(c.pixel(x: 30, y: 10).r == 1, "no segment through the NaN point")
    }

    @Test func aClipKeepsDrawingInsideItsRectangle() {
        var c = Canvas(width: 50, height: 50)
        c.setClip(x0: 10, y0: 10, x1: 30, y1: 30)
        c.line(0, 20, 50, 20, width: 4, .black)
        c.fill(x0: 0, y0: 0, x1: 50, y1: 50, RGBA(1, 0, 0, 0.5))
        c.resetClip()
        for y in 0..<50 {
            for x in 0..<50 where !(10..<30).contains(x) || !(10..<30).contains(y) {
                #expect(c.pixel(x: x, y: y) == .white, "pixel \(x), \(y) outside the clip")
            }
        }
        #expect(c.pixel(x: 20, y: 20).g < 0.1)
    }

    @Test func longThinSegmentsCostTheirLengthNotTheirBoundingBox() {
        // Inside the capsule the columns a row may touch are few: check the bound is conservative.
        for (x0, y0, x1, y1) in [(0.0, 0.0, 100.0, 100.0), (100.0, 3.0, 0.0, 97.0), (5.0, 50.0, 95.0, 50.5), (40.0, 0.0, 40.0, 100.0)] {
            var fast = Canvas(width: 100, height: 100), reference = Canvas(width: 100, height: 100)
            fast.line(x0, y0, x1, y1, width: 3, .black)
            // Reference: distance to the segment for every pixel.
            let dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy
            for y in 0..<100 {
                for x in 0..<100 {
                    let px = Double(x) + 0.5, py = Double(y) + 0.5
                    let t = min(1, max(0, ((px - x0) * dx + (py - y0) * dy) / len2))
                    let d = ((px - x0 - t * dx) * (px - x0 - t * dx) + (py - y0 - t * dy) * (py - y0 - t * dy)).squareRoot()
                    let coverage = min(1, max(0, 2 - d))
                    if coverage > 0 { reference.blend(x: x, y: y, .black, coverage: coverage) }
                }
            }
            #expect(fast.pixels == reference.pixels, "same pixels as the exhaustive rasteriser for (\(x0), \(y0))–(\(x1), \(y1))")
        }
    }

    @Test func axisTicksAreFiniteAndBoundedForAnyRange() {
        let ends: [Double] = [.nan, .infinity, -.infinity, 1e308, -1e308, 1e300, -1e300, 5e-324, 1e-310, 0, 1, -1, 1e16, 1e16 + 2]
        for lo in ends {
            for hi in ends {
                let t = AxisTicks(lower: lo, upper: hi)
                #expect(t.lower.isFinite && t.upper.isFinite && t.upper > t.lower, "\(lo)…\(hi)")
                #expect(t.step.isFinite && t.step > 0)
                #expect(t.major.count <= AxisTicks.maxTicks && t.minor.count <= 5 * AxisTicks.maxTicks)
                #expect(t.major.allSatisfy { $0.isFinite })
                for v in t.major { _ = t.label(v) }
            }
        }
        // A span far too narrow for its magnitude stalled a float stride; now widened.
        let narrow = AxisTicks(lower: 1e300, upper: 1e300.nextUp)
        #expect(narrow.major.count >= 2)
        #expect(AxisTicks(lower: 4.3, upper: 7.2).major == [4.5, 5.0, 5.5, 6.0, 6.5, 7.0], "ordinary ranges unchanged")
    }

    @Test func mapsWithDegenerateGridsOrOverlaysStillRender() {
        let grids: [MapPlot.Grid] = [
            .init(x0: .infinity, y0: 0, dx: 1, dy: 1, columns: 4, rows: 4),
            .init(x0: 0, y0: .nan, dx: 1, dy: 1, columns: 4, rows: 4),
            .init(x0: -1e308, y0: 1e308, dx: 1e308, dy: 1e308, columns: 4, rows: 4),
            .init(x0: 1e300, y0: 0, dx: 1e-300, dy: 1, columns: 4, rows: 4),
            .init(x0: 0, y0: 0, dx: 0, dy: -1, columns: 4, rows: 4),
        ]
        for g in grids {
            var m = MapPlot(title: ["t"], xTitle: "x", yTitle: "y", zTitle: "z", grid: g, values: [1, .nan, .infinity, -1e308] + [Double](repeating: 2, count: 12))
            m.ellipses = [.init(cx: 1, cy: 1, sx: 1, sy: 1, rho: 1.5, sigmas: 1, color: .black),
                          .init(cx: .nan, cy: 1e308, sx: 1e308, sy: .infinity, rho: .nan, sigmas: 1e9, color: .black)]
            m.markers = [.init(x: .infinity, y: 1e19, label: "mean"), .init(x: 1e19, y: -1e19, label: "")]
            m.intensity = [Float](repeating: .infinity, count: 16)
            m.width = 200
            m.height = 200
            let c = m.render()
            #expect(c.width == 200)
            _ = m.renderBare()
        }
        // Arrays shorter than the grid: missing cells have no data.
        let short = MapPlot(title: [], xTitle: "", yTitle: "", zTitle: "", grid: .init(x0: 0, y0: 0, dx: 1, dy: 1, columns: 3, rows: 3), values: [1])
        _ = short.render()
    }

    @Test func spectraWithHostileValuesStillRender() {
        let curves: [SpectrumPlot.Curve] = [
            .init(label: "a", x: [1, .nan, 3, 1e308, -1e308], y: [.infinity, 1, .nan, -1e308, 1e308], color: .black),
            .init(label: "b", x: [10, 0, 5], y: [1, 2, 3], color: .black, dashed: true),
            .init(label: "c", x: [0, 1, 2], y: [1], color: .black),
            .init(label: "d", x: [], y: [], color: .black),
        ]
        for subset in [curves, [curves[1]], [curves[2]], [curves[3]], []] {
            var p = SpectrumPlot(title: Array(repeating: "line", count: 40), xTitle: "x", yTitle: "y", curves: subset, window: -.infinity...(.infinity))
            p.width = 200
            p.height = 200
            #expect(p.render().width == 200)
        }
    }
}
