import Foundation
import RockingCurve
import WireMapping

/// Small deterministic rocking-curve tiles for the service tests: Gaussian peaks on a background with
/// counting-like noise, 16-bit counts, and a few pixels of every kind the reduction rejects (dead,
/// saturated, no signal), so every validity and every map column travels.
enum SyntheticTiles {
    /// 60 images, 5 µrad apart, centred on 0; the beam's monitor drifts by a few per cent.
    static func frames(monitor: Bool = true) throws -> ScanFrames {
        let angles = (0..<60).map { -147.5 + 5 * Double($0) }
        return try ScanFrames(anglesMicroradians: angles, monitor: monitor ? (0..<60).map { 1e5 * (1 + 0.03 * sin(Double($0) / 7)) } : nil)
    }

    /// Tile `index` of `pixels` pixels: peak positions and widths vary by pixel, so no two tiles are alike.
    static func tile(_ index: Int, pixels: Int, frames: ScanFrames) throws -> CurveTile {
        var state = UInt64(0x9E37_79B9_7F4A_7C15) &* UInt64(index + 1)
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        let n = frames.count
        var counts = [Float](repeating: 0, count: pixels * n)
        var dark = [Float](repeating: 0, count: pixels)
        for p in 0..<pixels {
            let g = index * pixels + p
            dark[p] = Float(90 + g % 13)
            let background = 100.0 + Double(g % 7) * 3
            let amplitude = g % 50 == 11 ? 0 : 1500 + Double(g % 11) * 90
            let centre = Double((g * 37) % 81 - 40) + 0.37 * Double(index)
            let sigma = 7 + Double(g % 5) * 1.5
            for k in 0..<n {
                let a = frames.anglesMicroradians[k]
                var y = Double(dark[p]) + (background + amplitude * exp(-(a - centre) * (a - centre) / (2 * sigma * sigma))) / Double(frames.monitorScale[k])
                y += (uniform() - 0.5) * 2 * y.squareRoot()
                if g % 50 == 3 { y = 300 }                         // dead: never changes
                if g % 50 == 7, abs(a - centre) < 6 { y = 65535 }  // saturated at the peak
                counts[p * n + k] = Float(min(65535, max(0, y.rounded())))
            }
        }
        return try CurveTile(pixelCount: pixels, frameCount: n, counts: counts, dark: dark)
    }

    static func jobs(count: Int, pixels: Int, options: ReductionOptions, motorResiduals: Bool = false) throws -> [TileReductionJob] {
        let frames = try frames()
        return try (0..<count).map { i in
            try TileReductionJob(tile: try tile(i, pixels: pixels, frames: frames), frames: frames, options: options, motorResiduals: motorResiduals)
        }
    }
}

/// Two tiles' maps equal bit for bit (NaN where NaN), every column and the validity.
func bitForBit(_ a: TileMaps, _ b: TileMaps) -> Bool {
    let paths: [KeyPath<TileMaps, [Float]>] = [\.position, \.sigma, \.fwhm, \.amplitude, \.background, \.backgroundSlope, \.integral,
                                               \.positionError, \.signalToNoise, \.reducedChiSquare, \.eta, \.backgroundNoise]
    return a.pixelCount == b.pixelCount && a.method == b.method && a.validity == b.validity
        && paths.allSatisfy { p in a[keyPath: p].map(\.bitPattern) == b[keyPath: p].map(\.bitPattern) }
}
