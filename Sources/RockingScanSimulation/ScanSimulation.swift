#if canImport(Glibc)
import Glibc
#endif
import Topography

/// A refused simulation: the parameter and what is allowed.
public struct SimulationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let parameter: String
    public let message: String
    public var description: String { "\(parameter): \(message)" }
}

/// A rocking-curve scan of a radiator, simulated: the camera images a beamline would write, and
/// the truth behind them. Pure and deterministic (images are functions of the spec and the image
/// index, noise included), so tests know the answer and images can be made in parallel.
///
/// The camera → sample map and the peak position follow docs/rci-conventions.md: pixel (c, r) is
/// at u = (c − (W−1)/2)·pixel_x, v = ((H−1)/2 − r)·pixel_y, u negated if mirrored, then rotated by
/// the sample rotation into the radiator's view of `face`. The scan rocks about the camera's
/// horizontal (thetah) or vertical (thetav) axis turned by χ; that axis, carried into the sample
/// frame the same way, projected on the lattice tilt (θH, θV) gives the peak position, plus the
/// dispersion ramp along the camera's x and the scan's constant.
public struct ScanSimulation: Sendable {
    public let spec: SimulatedScanSpec
    public let truth: SimulatedTruth
    /// True angle of each image, µrad (nominal + motor error).
    public let trueAngles: [Double]
    /// Per-pixel hot level (counts above dark) for hot pixels, 0 otherwise.
    private let hotLevel: [Float]
    private let shape: (fwhm: Double, eta: Double)
    private let monitorScale: [Double]

    public init(radiator: Radiator, spec: SimulatedScanSpec) throws(SimulationError) {
        try ScanSimulation.validate(spec)
        guard let view = radiator.view(spec.face) else {
            throw SimulationError(parameter: "face", message: "radiator \(radiator.name) has no \(spec.face.rawValue) view")
        }
        self.spec = spec
        let w = spec.width, h = spec.height, n = w * h
        let nominal = spec.nominalAngles
        let errors = nominal.map { a -> Double in
            let phase = 2 * Double.pi * a / spec.motorStepMicroradians
            return spec.motorErrorMicroradians * sin(phase + 0.7) + spec.motorSecondHarmonicMicroradians * cos(2 * phase + 0.3)
        }
        trueAngles = zip(nominal, errors).map(+)
        let last = Double(max(spec.frameCount - 1, 1))
        monitorScale = (0..<spec.frameCount).map { k in pow(1 - spec.beamDecay, Double(k) / last) }

        // The rocking axis in camera (u, v), then mirrored and rotated into the sample frame.
        let chi = spec.chiDegrees * Double.pi / 180, phi = spec.sampleRotationDegrees * Double.pi / 180
        var axis = spec.rocking == .thetah ? (u: cos(chi), v: sin(chi)) : (u: -sin(chi), v: cos(chi))
        if spec.mirror { axis.u = -axis.u }
        let axisX = axis.u * cos(phi) - axis.v * sin(phi), axisY = axis.u * sin(phi) + axis.v * cos(phi)

        var kind = [SimulatedPixel](repeating: .outside, count: n)
        var position = [Float](repeating: .nan, count: n)
        var amplitude = [Float](repeating: 0, count: n)
        var dark = [Float](repeating: 0, count: n)
        var hot = [Float](repeating: 0, count: n)
        let grid = view.grid
        let brightness = IntensityPattern(seed: spec.seed)
        for r in 0..<h {
            for c in 0..<w {
                let p = r * w + c
                var noise = CounterRandom(seed: spec.seed, stream: 1, index: UInt64(p))
                dark[p] = Float(spec.darkCounts + spec.darkPatternCounts * noise.normal())
                let defect = noise.uniform()
                if defect < spec.deadPixelFraction {
                    kind[p] = .dead
                    continue
                }
                if defect < spec.deadPixelFraction + spec.hotPixelFraction {
                    kind[p] = .hot
                    hot[p] = Float(3000 + noise.uniform() * 60000)
                    continue
                }
                let camera = ScanSimulation.cameraPoint(c: c, r: Double(r), spec: spec)
                let sample = ScanSimulation.samplePoint(camera, spec: spec)
                switch ScanSimulation.lookup(view: view, grid: grid, x: sample.x, y: sample.y) {
                case .none: kind[p] = .outside
                case .some(.mount): kind[p] = .mount
                case .some(.tilt(let th, let tv)):
                    kind[p] = .crystal
                    position[p] = Float(axisX * th + axisY * tv + spec.dispersionMicroradiansPerMillimeter * camera.u + spec.peakOffsetMicroradians)
                    amplitude[p] = Float(spec.peakCounts * brightness.value(x: sample.x, y: sample.y, variation: spec.intensityVariation))
                }
            }
        }
        hotLevel = hot
        shape = (spec.sigmaMicroradians * 2 * (2 * log(2.0)).squareRoot(), spec.eta)
        truth = SimulatedTruth(width: w, height: h, kind: kind, peakPosition: position, amplitude: amplitude,
                               sigmaMicroradians: spec.sigmaMicroradians, eta: spec.eta, backgroundCounts: spec.backgroundCounts,
                               dark: dark, motorErrors: errors, nominalAngles: nominal, monitor: monitorScale.map { $0 * 1e6 })
    }

    /// Dark frame j (no beam): dark level and read noise.
    public func darkImage(_ j: Int) -> [UInt16] {
        var image = [UInt16](repeating: 0, count: spec.width * spec.height)
        for p in image.indices where truth.kind[p] != .dead {
            var noise = CounterRandom(seed: spec.seed, stream: 0x1_0000_0000 &+ UInt64(j), index: UInt64(p))
            let value = Double(truth.dark[p]) + (spec.noise ? spec.readNoiseCounts * noise.normal() : 0)
            image[p] = ScanSimulation.clamp(value)
        }
        return image
    }

    /// Image k of the scan, row-major, row 0 first.
    public func image(_ k: Int) -> [UInt16] {
        let w = spec.width, h = spec.height
        let a = trueAngles[k], m = monitorScale[k]
        let middle = spec.startMicroradians + Double(spec.frameCount - 1) * spec.stepMicroradians / 2
        // The image slides up by the y-walk: row r shows what row r + s shows at the middle angle.
        let slide = spec.yWalkMillimetersPerMilliradian * (a - middle) / 1000 / spec.pixelYMillimeters
        var image = [UInt16](repeating: 0, count: w * h)
        for r in 0..<h {
            let source = Double(r) + slide
            let r0 = Int(source.rounded(.down)), t = source - Double(r0)
            for c in 0..<w {
                let p = r * w + c
                var noise = CounterRandom(seed: spec.seed, stream: 2 &+ UInt64(k), index: UInt64(p))
                let counts: Double
                switch truth.kind[p] {
                case .dead:
                    image[p] = 0
                    continue
                case .hot:
                    counts = Double(hotLevel[p])
                default:
                    let upper = expected(column: c, row: r0, angle: a), lower = t > 0 ? expected(column: c, row: r0 + 1, angle: a) : 0
                    counts = m * ((1 - t) * upper + t * lower)
                }
                let signal = spec.noise ? noise.poisson(counts) : counts.rounded()
                let read = spec.noise ? spec.readNoiseCounts * noise.normal() : 0
                image[p] = ScanSimulation.clamp(Double(truth.dark[p]) + signal + read)
            }
        }
        return image
    }

    /// Expected counts (at the first monitor) of the sample seen by pixel (c, row) at the middle angle.
    private func expected(column c: Int, row: Int, angle a: Double) -> Double {
        let r = min(max(row, 0), spec.height - 1), p = r * spec.width + c
        let mu = Double(truth.peakPosition[p]), height = Double(truth.amplitude[p])
        if truth.kind[p] == .mount { return spec.mountBackgroundCounts ?? spec.backgroundCounts }
        guard truth.kind[p] == .crystal, mu.isFinite else { return spec.backgroundCounts }
        let d = (a - mu) / shape.fwhm, x2 = d * d
        let profile = shape.eta / (1 + 4 * x2) + (1 - shape.eta) * exp(-4 * log(2.0) * x2)
        return spec.backgroundCounts + height * profile
    }

    static func clamp(_ value: Double) -> UInt16 { UInt16(min(max(value.rounded(), 0), 65535)) }

    /// Camera pixel → (u, v), mm, per the conventions (centred, rows flipped).
    static func cameraPoint(c: Int, r: Double, spec: SimulatedScanSpec) -> (u: Double, v: Double) {
        ((Double(c) - Double(spec.width - 1) / 2) * spec.pixelXMillimeters, (Double(spec.height - 1) / 2 - r) * spec.pixelYMillimeters)
    }

    /// (u, v) → the sample frame: mirror, then rotate counter-clockwise.
    static func samplePoint(_ p: (u: Double, v: Double), spec: SimulatedScanSpec) -> (x: Double, y: Double) {
        let u = spec.mirror ? -p.u : p.u
        let phi = spec.sampleRotationDegrees * Double.pi / 180
        return (u * cos(phi) - p.v * sin(phi), u * sin(phi) + p.v * cos(phi))
    }

    enum Surface { case mount, tilt(Double, Double) }

    /// What the radiator's view has at (x, y): nothing, the mount, or the crystal with its tilt
    /// (bilinear between the crystal pixels around the point).
    static func lookup(view: RadiatorView, grid: TopographGrid, x: Double, y: Double) -> Surface? {
        let fc = (x - grid.originXMillimeters) / grid.pixelMillimeters, fr = (y - grid.originYMillimeters) / grid.pixelMillimeters
        let nc = Int(fc.rounded()), nr = Int(fr.rounded())
        guard nc >= 0, nr >= 0, nc < grid.columns, nr < grid.rows else { return nil }
        switch view.mask[grid.index(column: nc, row: nr)] {
        case .nothing: return nil
        case .mount: return .mount
        case .crystal: break
        }
        let c0 = Int(fc.rounded(.down)), r0 = Int(fr.rounded(.down))
        var sum = (w: 0.0, h: 0.0, v: 0.0)
        for (dc, dr) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let c = c0 + dc, r = r0 + dr
            guard c >= 0, r >= 0, c < grid.columns, r < grid.rows else { continue }
            let i = grid.index(column: c, row: r)
            guard view.mask[i] == .crystal else { continue }
            let weight = (dc == 0 ? 1 - (fc - Double(c0)) : fc - Double(c0)) * (dr == 0 ? 1 - (fr - Double(r0)) : fr - Double(r0))
            sum.w += weight
            sum.h += weight * Double(view.thetaHMicroradians[i])
            sum.v += weight * Double(view.thetaVMicroradians[i])
        }
        guard sum.w > 1e-9 else {
            let i = grid.index(column: nc, row: nr)
            return .tilt(Double(view.thetaHMicroradians[i]), Double(view.thetaVMicroradians[i]))
        }
        return .tilt(sum.h / sum.w, sum.v / sum.w)
    }

    static func validate(_ s: SimulatedScanSpec) throws(SimulationError) {
        func check(_ ok: Bool, _ parameter: String, _ message: String) throws(SimulationError) {
            guard ok else { throw SimulationError(parameter: parameter, message: message) }
        }
        try check((1...8192).contains(s.width) && (1...8192).contains(s.height), "size", "\(s.width) × \(s.height) pixels; allowed 1 to 8192 each")
        try check((5...5000).contains(s.frameCount), "frames", "\(s.frameCount); allowed 5 to 5000")
        try check(s.pixelXMillimeters > 0 && s.pixelYMillimeters > 0 && s.pixelXMillimeters.isFinite && s.pixelYMillimeters.isFinite,
                  "pixel_mm", "\(s.pixelXMillimeters), \(s.pixelYMillimeters); must be positive")
        try check(s.stepMicroradians > 0 && s.stepMicroradians.isFinite, "step_urad", "\(s.stepMicroradians); must be positive")
        try check(s.startMicroradians.isFinite, "start_urad", "\(s.startMicroradians); must be finite")
        try check(s.sigmaMicroradians > 0 && s.sigmaMicroradians.isFinite, "sigma_urad", "\(s.sigmaMicroradians); must be positive")
        try check((0...1).contains(s.eta), "eta", "\(s.eta); allowed 0 to 1")
        try check(s.peakCounts >= 0 && s.peakCounts <= 1e6, "peak_counts", "\(s.peakCounts); allowed 0 to 1e6")
        try check((0...0.9).contains(s.intensityVariation), "intensity_variation", "\(s.intensityVariation); allowed 0 to 0.9")
        try check(s.backgroundCounts >= 0 && s.backgroundCounts <= 60000, "background_counts", "\(s.backgroundCounts); allowed 0 to 60000")
        if let m = s.mountBackgroundCounts {
            try check(m >= 0 && m <= 60000, "mount_background_counts", "\(m); allowed 0 to 60000")
        }
        try check(s.darkCounts >= 0 && s.darkCounts <= 60000 && s.darkPatternCounts >= 0 && s.readNoiseCounts >= 0,
                  "dark_counts", "dark \(s.darkCounts), pattern \(s.darkPatternCounts), read noise \(s.readNoiseCounts); must be ≥ 0 (dark ≤ 60000)")
        try check((0...100).contains(s.darkFrameCount), "dark_frames", "\(s.darkFrameCount); allowed 0 to 100")
        try check((0...0.2).contains(s.hotPixelFraction) && (0...0.2).contains(s.deadPixelFraction), "hot_fraction",
                  "hot \(s.hotPixelFraction), dead \(s.deadPixelFraction); each allowed 0 to 0.2")
        try check(s.motorStepMicroradians > 0 && s.motorStepMicroradians.isFinite, "motor_step_urad", "\(s.motorStepMicroradians); must be positive")
        try check(abs(s.motorErrorMicroradians) + abs(s.motorSecondHarmonicMicroradians) < s.stepMicroradians / 2, "motor_error_urad",
                  "\(s.motorErrorMicroradians) + \(s.motorSecondHarmonicMicroradians) µrad; must stay below half the angle step (\(s.stepMicroradians / 2) µrad) so the angles stay in order")
        try check((0..<1).contains(s.beamDecay), "beam_decay", "\(s.beamDecay); allowed 0 to below 1")
        try check([s.sampleRotationDegrees, s.chiDegrees, s.dispersionMicroradiansPerMillimeter, s.yWalkMillimetersPerMilliradian, s.peakOffsetMicroradians]
                    .allSatisfy(\.isFinite), "geometry", "rotation, χ, dispersion, y-walk and offset must be finite")
    }
}

/// A smooth brightness pattern across the crystal (thickness and strain vary), 1 at its brightest.
struct IntensityPattern {
    let phases: [Double]

    init(seed: UInt64) {
        var random = CounterRandom(seed: seed, stream: 7, index: 0)
        phases = (0..<4).map { _ in random.uniform() * 2 * Double.pi }
    }

    func value(x: Double, y: Double, variation: Double) -> Double {
        let wave = (sin(0.9 * x + phases[0]) * cos(0.7 * y + phases[1]) + sin(0.4 * (x + y) + phases[2])) / 2  // within −1…1
        return 1 - variation * (1 - wave) / 2
    }
}
