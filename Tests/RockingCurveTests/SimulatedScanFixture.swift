import RockingCurve
import RockingScanSimulation
import Topography

/// A small simulated scan held in memory as one tile per image row: the truth and the curves.
struct SimulatedScanFixture {
    let simulation: ScanSimulation
    let frames: ScanFrames
    /// Row r's pixels as a tile (pixel-major curves, dark level from the dark frames).
    let rows: [CurveTile]

    init(_ configure: (inout SimulatedScanSpec) -> Void = { _ in }) throws {
        var spec = SimulatedScanSpec()
        spec.width = 48
        spec.height = 48
        spec.frameCount = 100
        spec.startMicroradians = -120
        spec.stepMicroradians = 2.4
        spec.pixelXMillimeters = 0.17
        spec.pixelYMillimeters = 0.17
        configure(&spec)
        let radiator = SyntheticRadiators.make(SyntheticRadiators.recipes[0])
        let made = try ScanSimulation(radiator: radiator, spec: spec)
        simulation = made
        frames = try ScanFrames(anglesMicroradians: made.truth.nominalAngles, monitor: made.truth.monitor)
        let images = (0..<spec.frameCount).map { made.image($0) }
        let darks = (0..<spec.darkFrameCount).map { made.darkImage($0) }
        let n = spec.frameCount, w = spec.width
        let built = try (0..<spec.height).map { r in
            var counts = [Float](repeating: 0, count: w * n)
            var dark = [Float](repeating: 0, count: w)
            for c in 0..<w {
                for k in 0..<n { counts[c * n + k] = Float(images[k][r * w + c]) }
                if !darks.isEmpty { dark[c] = Float(darks.map { Double($0[r * w + c]) }.reduce(0, +) / Double(darks.count)) }
            }
            return try CurveTile(pixelCount: w, frameCount: n, counts: counts, dark: darks.isEmpty ? nil : dark)
        }
        rows = built
    }

    var width: Int { simulation.spec.width }

    /// The maps of every row, stitched into whole-image arrays.
    func reduce(frames: ScanFrames? = nil, options: ReductionOptions) throws -> (maps: [TileMaps], position: [Float], sigma: [Float], validity: [PixelValidity]) {
        let maps = try rows.map { try TileReduction.reduce($0, frames: frames ?? self.frames, options: options) }
        return (maps, maps.flatMap(\.position), maps.flatMap(\.sigma), maps.flatMap(\.validity))
    }

    /// Rms of (measured − truth) over pixels valid in the reduction and crystal in the truth, after
    /// removing the mean difference (a constant of the scan carries no information).
    func positionError(_ position: [Float], _ validity: [PixelValidity], truthShift: Double = 0) -> (rms: Double, count: Int) {
        var d: [Double] = []
        for i in position.indices where validity[i] == .valid && simulation.truth.kind[i] == .crystal {
            d.append(Double(position[i]) - Double(simulation.truth.peakPosition[i]) - truthShift)
        }
        let mean = d.reduce(0, +) / Double(max(d.count, 1))
        return ((d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(d.count, 1))).squareRoot(), d.count)
    }
}
