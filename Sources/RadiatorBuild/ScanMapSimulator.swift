import Foundation
import Topography

/// A crystal of known shape and elevation, and the reduced maps a scan of it would give (the reduction's
/// output, not raw images): for the build's tests and benchmarks. Written from the conventions page
/// (docs/rci-conventions.md) independently of the build's own geometry code, so the tests compare two
/// readings of the conventions.
public struct SimulatedCrystal: Sendable {
    /// Elevation, nm, and its gradient (nm/mm = µrad), front view, mm.
    public var elevation: @Sendable (Double, Double) -> Double
    public var gradient: @Sendable (Double, Double) -> (x: Double, y: Double)
    /// The outline, front view mm: a 4 × 4 mm rectangle with one corner cut (so rotations are unambiguous),
    /// off the camera's centre.
    public var xRange = -2.1...1.9
    public var yRange = -1.8...2.2
    public var cut = 1.1
    /// The glued tab, front view mm (what of it lies outside the crystal is the mount).
    public var mountX = 1.0...2.6
    public var mountY = -2.75...(-1.25)

    public init(elevation: @escaping @Sendable (Double, Double) -> Double, gradient: @escaping @Sendable (Double, Double) -> (x: Double, y: Double)) {
        self.elevation = elevation
        self.gradient = gradient
    }

    /// The same crystal with its outline and mount scaled by `factor` about the origin (the surface kept).
    public func outlineScaled(by factor: Double) -> SimulatedCrystal {
        var c = self
        c.xRange = xRange.lowerBound * factor...xRange.upperBound * factor
        c.yRange = yRange.lowerBound * factor...yRange.upperBound * factor
        c.cut = cut * factor
        c.mountX = mountX.lowerBound * factor...mountX.upperBound * factor
        c.mountY = mountY.lowerBound * factor...mountY.upperBound * factor
        return c
    }

    public func inCrystal(_ x: Double, _ y: Double) -> Bool {
        guard xRange.contains(x), yRange.contains(y) else { return false }
        return (x - xRange.lowerBound) + (yRange.upperBound - y) >= cut
    }
    public func inMount(_ x: Double, _ y: Double) -> Bool { mountX.contains(x) && mountY.contains(y) && !inCrystal(x, y) }
    /// θH = ∂z/∂y, θV = −∂z/∂x, µrad.
    public func tilt(_ x: Double, _ y: Double) -> (h: Double, v: Double) {
        let g = gradient(x, y)
        return (g.y, -g.x)
    }

    /// An elliptic bow: curvatures in µrad/mm (tilts of ±40–60 µrad across the crystal).
    public static func bow(curvatureX kx: Double = 22, curvatureY ky: Double = 30) -> SimulatedCrystal {
        SimulatedCrystal(elevation: { x, y in kx * x * x / 2 + ky * y * y / 2 }, gradient: { x, y in (kx * x, ky * y) })
    }
    public static func twist(_ t: Double = 24) -> SimulatedCrystal {
        SimulatedCrystal(elevation: { x, y in t * x * y }, gradient: { x, y in (t * y, t * x) })
    }
    /// A mild bow with a local bump (a defect) of `height` nm and width `sigma` mm.
    public static func defect(height: Double = 30, sigma: Double = 0.4) -> SimulatedCrystal {
        let s2 = sigma * sigma
        return SimulatedCrystal(
            elevation: { x, y in 8 * (x * x + y * y) / 2 + height * exp(-((x - 0.25) * (x - 0.25) + (y + 0.5) * (y + 0.5)) / (2 * s2)) },
            gradient: { x, y in
                let b = height * exp(-((x - 0.25) * (x - 0.25) + (y + 0.5) * (y + 0.5)) / (2 * s2))
                return (8 * x - b * (x - 0.25) / s2, 8 * y - b * (y + 0.5) / s2)
            })
    }
}

/// How one simulated scan was taken: the manifest plus everything the build must find.
public struct ScanRecipe: Sendable {
    public var manifest: ScanManifest
    public var columns = 128
    public var rows = 128
    /// True residual similarity: the reference's front point p is at S(p) in this scan's declared frame.
    public var shiftX = 0.0, shiftY = 0.0, rotationDegrees = 0.0, scale = 1.0
    public var centreX = 0.0, centreY = 0.0
    public var chiDegrees = 0.0
    public var dispersion = 0.0  // µrad/mm along camera u
    public var walk = 0.0  // mm/mrad along +v
    public var offset = 20.0  // the scan's constant (Bragg angle, motor zero), µrad
    public var dSpacing: @Sendable (Double, Double) -> Double = { _, _ in 0 }
    public var peakNoise = 0.3  // µrad rms
    public var intensityNoise = 0.02  // of the crystal level
    public var invalidFraction = 0.01
    public var hotPixels = 3
    public var spikes = 3
    public var seed: UInt64 = 1

    public init(manifest: ScanManifest) { self.manifest = manifest }

    public static func standard(_ name: String, _ rocking: RockingDirection, _ face: ViewSide, rotation: Double = 0, mirror: Bool = false,
                         complementary: Bool = false) -> ScanRecipe {
        ScanRecipe(manifest: ScanManifest(name: name, rocking: rocking, face: face, sampleRotationDegrees: rotation, mirror: mirror,
                                          pixelXMillimeters: 0.05, pixelYMillimeters: 0.05, complementary: complementary))
    }
}

/// A deterministic generator for the simulated noise.
public struct SimulationRandom: Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    public mutating func gaussian() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

extension SimulatedCrystal {
    /// The maps the reduction would write for this scan (camera grid, row 0 at the top).
    public func scan(_ r: ScanRecipe) -> ScanMaps {
        let m = r.manifest, w = r.columns, h = r.rows
        var random = SimulationRandom(state: r.seed)
        let phi = m.sampleRotationDegrees * .pi / 180, chi = r.chiDegrees * .pi / 180
        // The rocking axis in camera (u, v), carried into the sample frame like a position (mirror, rotation).
        var axis = m.rocking == .thetah ? (cos(chi), sin(chi)) : (-sin(chi), cos(chi))
        if m.mirror { axis.0 = -axis.0 }
        let a = (cos(phi) * axis.0 - sin(phi) * axis.1, sin(phi) * axis.0 + cos(phi) * axis.1)
        // Camera point (column, row) → front-view point of the sample seen there (before the walk).
        func frontPoint(_ c: Double, _ row: Double) -> (x: Double, y: Double) {
            var u = (c - Double(w - 1) / 2) * m.pixelXMillimeters
            let v = (Double(h - 1) / 2 - row) * m.pixelYMillimeters
            if m.mirror { u = -u }
            var x = cos(phi) * u - sin(phi) * v, y = sin(phi) * u + cos(phi) * v
            if m.face == .back { x = -x }
            // Undo the residual similarity: S(p) = c + s R(θ)(p − c) + t = (x, y).
            let th = r.rotationDegrees * .pi / 180
            let dx = (x - r.shiftX - r.centreX) / r.scale, dy = (y - r.shiftY - r.centreY) / r.scale
            return (r.centreX + cos(th) * dx + sin(th) * dy, r.centreY - sin(th) * dx + cos(th) * dy)
        }
        func signal(_ p: (x: Double, y: Double)) -> Double {
            let t = tilt(p.x, p.y)
            let faceTilt = m.face == .back ? (-t.h, t.v) : (t.h, t.v)
            return a.0 * faceTilt.0 + a.1 * faceTilt.1 + r.dSpacing(p.x, p.y)
        }
        // The walk's reference: the median signal over the crystal.
        var onCrystal: [Double] = []
        for row in stride(from: 0, to: h, by: 2) {
            for c in stride(from: 0, to: w, by: 2) {
                let p = frontPoint(Double(c), Double(row))
                if inCrystal(p.x, p.y) { onCrystal.append(signal(p)) }
            }
        }
        onCrystal.sort()
        let middle = onCrystal.isEmpty ? 0 : onCrystal[onCrystal.count / 2]
        var peak = [Float](repeating: .nan, count: w * h), intensity = peak, baseline = peak
        for row in 0..<h {
            for c in 0..<w {
                // The walk: the value seen at row came from row0 with row = row0 − w·m(row0)/py.
                var row0 = Double(row)
                if r.walk != 0 {
                    // The peak's angle, dispersion included, sets how far the image had slid.
                    let ramp = r.dispersion * (Double(c) - Double(w - 1) / 2) * m.pixelXMillimeters
                    for _ in 0..<6 { row0 = Double(row) + r.walk * (signal(frontPoint(Double(c), row0)) + ramp - middle) * 1e-3 / m.pixelYMillimeters }
                }
                var area = 0.0, mount = 0.0
                for sy in 0..<3 {
                    for sx in 0..<3 {
                        let p = frontPoint(Double(c) + (Double(sx) - 1) / 3, row0 + (Double(sy) - 1) / 3)
                        if inCrystal(p.x, p.y) { area += 1 / 9 } else if inMount(p.x, p.y) { mount += 1 / 9 }
                    }
                }
                let i = row * w + c
                let p = frontPoint(Double(c), row0)
                let u = (Double(c) - Double(w - 1) / 2) * m.pixelXMillimeters
                intensity[i] = Float(1000 * area * (1 + r.intensityNoise * random.gaussian()) + 5 * random.gaussian())
                baseline[i] = Float(100 + 150 * mount + 3 * random.gaussian())
                if area >= 0.5, random.uniform() >= r.invalidFraction {
                    peak[i] = Float(signal(p) + r.dispersion * u + r.offset + r.peakNoise * random.gaussian())
                }
            }
        }
        for k in 0..<r.hotPixels { intensity[Int(random.next() % UInt64(w * h))] = 60_000 + Float(k) }
        for _ in 0..<r.spikes {
            let i = Int(random.next() % UInt64(w * h))
            if peak[i].isFinite { peak[i] += 200 }
        }
        return ScanMaps(manifest: m, columns: w, rows: h, peakMicroradians: peak, intensity: intensity, baseline: baseline)
    }
}
