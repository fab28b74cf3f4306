import Foundation
import Testing
@testable import Render
import Zlib

@Suite struct AxisTickTests {
    @Test func ticksAreNiceNumbersInsideTheRange() {
        let t = AxisTicks(lower: 4.3, upper: 7.2)
        #expect(t.step == 0.5)
        #expect(t.major == [4.5, 5.0, 5.5, 6.0, 6.5, 7.0])
        #expect(t.minor.count > t.major.count)
        #expect(t.minor.allSatisfy { $0 >= 4.3 && $0 <= 7.2 })
        #expect(AxisTicks(lower: 0, upper: 1.9e9).step == 5e8 || AxisTicks(lower: 0, upper: 1.9e9).step == 2e8)
        #expect(AxisTicks(lower: -0.5, upper: 0.5).major.contains(0))
    }

    @Test func labelsHaveJustEnoughDecimalsAndUseScientificForLargeValues() {
        let t = AxisTicks(lower: 4.3, upper: 7.2)
        #expect(t.label(5.0) == "5.0")
        let big = AxisTicks(lower: 0, upper: 2.2e9)
        #expect(big.label(1.5e9) == "1.5×10⁹")
        #expect(big.label(0) == "0")
        #expect(AxisTicks(lower: -1, upper: 1).label(-0.5) == "−0.5")
    }
}

@Suite struct CanvasAndPaletteTests {
    @Test func palettesRunFromTheirFirstToLastStopAndClamp() {
        #expect(Palette.viridis.color(0) == RGBA(hex: 0x440154))
        #expect(Palette.viridis.color(1) == RGBA(hex: 0xFDE725))
        #expect(Palette.viridis.color(2) == Palette.viridis.color(1))
        #expect(Palette.diverging.color(0.5) == RGBA(hex: 0xF7F7F7))
    }

    @Test func textIsDrawnWithTheEmbeddedFontIncludingGreekAndSuperscripts() {
        #expect(Canvas.textWidth("θH (µrad) σ 10⁹", size: 14) > 60)
        var c = Canvas(width: 200, height: 40)
        c.text("µσθ ×10⁻³", x: 10, y: 25, size: 14)
        let inked = stride(from: 0, to: c.pixels.count, by: 4).filter { c.pixels[$0] < 128 }.count
        #expect(inked > 50, "glyphs left ink on the canvas")
    }

    @Test func linesAreAntiAliased() {
        var c = Canvas(width: 50, height: 50)
        c.line(5, 5, 45, 30, width: 1.5, .black)
        let greys = Set(stride(from: 0, to: c.pixels.count, by: 4).map { c.pixels[$0] })
        #expect(greys.count > 5, "intermediate coverage values, not just black and white")
    }
}

@Suite struct PlotTests {
    static func spectrum(width: Int = 600) -> SpectrumPlot {
        let x = (0..<125).map { 4.51 + Double($0) * 0.02 }
        var p = SpectrumPlot(title: ["Linear polarization — test", "peak 0.7400, average 0.4109"], xTitle: "photon energy (GeV)",
                             yTitle: "linear polarization",
                             curves: [.init(label: "polarization", x: x, y: x.map { 0.7 * exp(-pow($0 - 6, 2)) }, color: SpectrumPlot.palette[0])],
                             window: 4.5...7.0)
        p.width = width
        p.height = width
        return p
    }

    /// Issue #21: the first x label and the lowest y label met at the origin corner. Now nothing is drawn in
    /// the square below-left of the corner: the x label starts at the axis, the y label sits above it.
    @Test(arguments: [400, 600])
    func tickLabelsDoNotMeetAtTheOrigin(size: Int) throws {
        let c = Self.spectrum(width: size).render()
        func dark(_ x: Int, _ y: Int) -> Bool { let p = c.pixel(x: x, y: y); return p.r + p.g + p.b < 2.0 }
        // The frame: the lowest row and the leftmost column that are mostly ink.
        let bottom = try #require((0..<c.height).last { y in (0..<c.width).filter { dark($0, y) }.count > c.width / 3 })
        let left = try #require((0..<c.width).first { x in (0..<c.height).filter { dark(x, $0) }.count > c.height / 3 })
        let reach = Int(25 * Double(size) / 600)
        let inked = (bottom + 2...bottom + reach).flatMap { y in (left - reach...left - 2).map { (x: $0, y: y) } }.filter { dark($0.x, $0.y) }
        #expect(inked.isEmpty, "\(inked.count) inked pixels below-left of the origin corner (\(left), \(bottom))")
    }

    @Test func spectrumPlotsAreDeterministicPNGs() throws {
        let a = try PNGEncoder.encode(Self.spectrum().render()), b = try PNGEncoder.encode(Self.spectrum().render())
        #expect(a == b)
        #expect(a.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(a.count > 5_000 && a.count < 200_000, "a compressed 600×600 plot, got \(a.count) bytes")
    }

    @Test(arguments: [200, 600, 2000])
    func everySizeRendersWithTheCurveInsideTheFrame(size: Int) throws {
        let c = Self.spectrum(width: size).render()
        #expect(c.width == size && c.height == size)
        // The curve's colour appears: plotted data made it onto the image.
        // The curve's blue appears (anti-aliased, so count clearly bluish pixels).
        var found = 0
        for i in stride(from: 0, to: c.pixels.count, by: 4) where Int(c.pixels[i + 2]) > Int(c.pixels[i]) + 40 { found += 1 }
        #expect(found > size / 2)
    }

    @Test func dashedCurvesAreCutIntoDashesOfTheRightLength() {
        let pieces = SpectrumPlot.dashes([(0, 0), (100, 0)], on: 10, off: 5)
        #expect(pieces.count == 7)
        #expect(pieces.allSatisfy { abs($0.last!.0 - $0.first!.0) <= 10 + 1e-9 })
        #expect(abs(pieces[1].first!.0 - 15) < 1e-9)
    }

    @Test func transparentBackgroundOnRequest() throws {
        var p = Self.spectrum()
        p.transparent = true
        let c = p.render()
        #expect(c.pixel(x: 1, y: 1).a == 0)
        let png = try PNGEncoder.encode(c, transparent: true)
        #expect(png[25] == 6, "colour type 6: RGBA")
    }

    @Test func mapColourBarSpansTheDataAndMaskIsDrawnDistinctly() throws {
        let values = (0..<400).map { Double($0 % 20) - 5 }  // −5 … 14
        var mask = [UInt8](repeating: 1, count: 400)
        for i in 0..<40 { mask[i] = 2 }
        for i in 380..<400 { mask[i] = 0 }
        var m = MapPlot(title: ["map"], xTitle: "x (mm)", yTitle: "y (mm)", zTitle: "θH (µrad)",
                        grid: .init(x0: 0, y0: 0, dx: 0.05, dy: 0.05, columns: 20, rows: 20), values: values)
        m.mask = mask
        #expect(m.colourRange == -5...14)
        m.ellipses = [.init(cx: 0.5, cy: 0.5, sx: 0.2, sy: 0.1, rho: -0.6, sigmas: 1, color: RGBA(hex: 0xE74C3C))]
        let c = m.render()
        var greys = 0, reds = 0
        for i in stride(from: 0, to: c.pixels.count, by: 4) {
            let r = c.pixels[i], g = c.pixels[i + 1], b = c.pixels[i + 2]
            if r == g && g == b && (r == 191 || r == 115) { greys += 1 }  // mount fill and hatch
            if r > 200 && g < 110 && b < 100 { reds += 1 }
        }
        #expect(greys > 500, "mount cells drawn grey")
        #expect(reds > 20, "spot ellipse drawn")
        let bare = m.renderBare()
        #expect(bare.width == 20 && bare.height == 20)
        #expect(bare.pixel(x: 5, y: 0).a == 0, "no-data cells transparent (top row = last grid row)")
        #expect(bare.pixel(x: 5, y: 19) == RGBA(0.62, 0.62, 0.62).rounded, "mount cell at the bottom")
    }

    /// A golden image: the rendering of a fixed plot must not drift without notice.
    @Test func spectrumPlotMatchesTheGoldenImageWithinTolerance() throws {
        // zlib-compressed RGBA; SPOTFINDER_UPDATE_GOLDEN=1 rewrites it after an intended change.
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden-spectrum-400.rgba.z")
        let c = Self.spectrum(width: 400).render()
        if ProcessInfo.processInfo.environment["SPOTFINDER_UPDATE_GOLDEN"] != nil {
            try Zlib.compress(Data(c.pixels), level: 9).write(to: golden)
        }
        let expected = try [UInt8](Zlib.decompress(Data(contentsOf: golden), expectedSize: c.pixels.count))
        #expect(expected.count == c.pixels.count)
        var differing = 0
        for i in 0..<min(expected.count, c.pixels.count) where abs(Int(expected[i]) - Int(c.pixels[i])) > 2 { differing += 1 }
        #expect(Double(differing) / Double(c.pixels.count) < 0.001, "\(differing) channel values differ")
    }
}

extension RGBA {
    /// As stored in 8-bit pixels.
    var rounded: RGBA {
        RGBA(Double(Canvas.byte(r)) / 255, Double(Canvas.byte(g)) / 255, Double(Canvas.byte(b)) / 255, Double(Canvas.byte(a)) / 255)
    }
}
