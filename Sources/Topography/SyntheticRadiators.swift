import Foundation

/// A deterministic catalogue of realistic radiators: the built-in data set.
///
/// Each is a thin diamond plate with its corners bevelled, glued by one corner to
/// a mounting tab, with: a bow (tilt gradient of a few to tens of µrad/mm),
/// smooth strain at several scales, dislocation clusters (sharp local tilts),
/// one or two growth-sector boundaries (tilt steps), strain around the glue
/// joint, and chipped edges. Fixed seeds: the same bytes every time.
public enum SyntheticRadiators {
    public struct Recipe: Sendable {
        public let name: String
        public let seed: UInt64
        public let widthMillimeters: Double
        public let heightMillimeters: Double
        public let thicknessMicrons: Double
        /// Bow: tilt per mm (µrad/mm) along x and y.
        public let bowMicroradiansPerMillimeter: Double
        /// Amplitude of the smooth multi-scale strain, µrad.
        public let strainMicroradians: Double
        public let dislocationClusters: Int
        public let sectorBoundaries: Int
        public let chips: Int
        public let quality: String
    }

    public static let recipes: [Recipe] = [
        Recipe(name: "SF-E01", seed: 101, widthMillimeters: 7, heightMillimeters: 7, thicknessMicrons: 50,
               bowMicroradiansPerMillimeter: 2.5, strainMicroradians: 4, dislocationClusters: 1, sectorBoundaries: 1, chips: 1, quality: "excellent"),
        Recipe(name: "SF-E02", seed: 202, widthMillimeters: 6.5, heightMillimeters: 6, thicknessMicrons: 45,
               bowMicroradiansPerMillimeter: 4, strainMicroradians: 6, dislocationClusters: 2, sectorBoundaries: 1, chips: 2, quality: "excellent"),
        Recipe(name: "SF-G03", seed: 303, widthMillimeters: 7, heightMillimeters: 7, thicknessMicrons: 50,
               bowMicroradiansPerMillimeter: 8, strainMicroradians: 12, dislocationClusters: 3, sectorBoundaries: 1, chips: 2, quality: "good"),
        Recipe(name: "SF-G04", seed: 404, widthMillimeters: 5.5, heightMillimeters: 6.5, thicknessMicrons: 60,
               bowMicroradiansPerMillimeter: 12, strainMicroradians: 18, dislocationClusters: 3, sectorBoundaries: 2, chips: 3, quality: "good"),
        Recipe(name: "SF-F05", seed: 505, widthMillimeters: 7, heightMillimeters: 6, thicknessMicrons: 40,
               bowMicroradiansPerMillimeter: 20, strainMicroradians: 30, dislocationClusters: 4, sectorBoundaries: 2, chips: 3, quality: "fair"),
        Recipe(name: "SF-P06", seed: 606, widthMillimeters: 6, heightMillimeters: 6, thicknessMicrons: 100,
               bowMicroradiansPerMillimeter: 35, strainMicroradians: 60, dislocationClusters: 6, sectorBoundaries: 2, chips: 4, quality: "poor"),
        Recipe(name: "SF-P07", seed: 707, widthMillimeters: 7, heightMillimeters: 7, thicknessMicrons: 20,
               bowMicroradiansPerMillimeter: 45, strainMicroradians: 90, dislocationClusters: 8, sectorBoundaries: 2, chips: 5, quality: "poor"),
    ]

    public static var all: [Radiator] { recipes.map(make) }

    public static let pixelMillimeters = 0.05

    public static func make(_ r: Recipe) -> Radiator {
        var rng = SplitMix64(seed: r.seed)
        let pixel = pixelMillimeters
        let margin = 0.6, tab = 1.6
        let halfW = r.widthMillimeters / 2, halfH = r.heightMillimeters / 2
        let columns = Int(((r.widthMillimeters + 2 * margin + tab / 2) / pixel).rounded(.up))
        let rows = Int(((r.heightMillimeters + 2 * margin + tab / 2) / pixel).rounded(.up))
        let grid = TopographGrid(originXMillimeters: -Double(columns - 1) * pixel / 2, originYMillimeters: -Double(rows - 1) * pixel / 2,
                                 pixelMillimeters: pixel, columns: columns, rows: rows)
        // The mounting tab covers the lower-right corner and reaches past the plate.
        let tabX = halfW - tab * 0.55, tabY = -halfH + tab * 0.55
        let bevel = 0.35 + rng.uniform() * 0.4
        let chips = (0..<r.chips).map { _ -> (x: Double, y: Double, radius: Double) in
            let side = Int(rng.next() % 4), t = rng.uniform(-0.8, 0.8)
            let radius = 0.08 + rng.uniform() * 0.22
            switch side {
            case 0: return (t * halfW, halfH, radius)
            case 1: return (t * halfW, -halfH, radius)
            case 2: return (-halfW, t * halfH, radius)
            default: return (halfW, t * halfH, radius)
            }
        }
        // Smooth strain: a sum of plane waves of the tilt potential at several scales.
        let modes = (0..<14).map { k -> (kx: Double, ky: Double, phase: Double, amp: Double) in
            let wavelength = [4.0, 2.5, 1.5, 0.8][k % 4] * (0.8 + 0.4 * rng.uniform())
            let angle = rng.uniform() * 2 * Double.pi
            let kmag = 2 * Double.pi / wavelength
            return (kmag * cos(angle), kmag * sin(angle), rng.uniform() * 2 * Double.pi, r.strainMicroradians * (wavelength / 4).squareRoot() / kmag)
        }
        let clusters = (0..<r.dislocationClusters).map { _ -> (x: Double, y: Double, sigma: Double, amp: Double) in
            (rng.uniform(-0.8, 0.8) * halfW, rng.uniform(-0.8, 0.8) * halfH, 0.08 + rng.uniform() * 0.25,
             (rng.uniform() > 0.5 ? 1 : -1) * (20 + rng.uniform() * 60) * (r.strainMicroradians / 20 + 0.5))
        }
        let boundaries = (0..<r.sectorBoundaries).map { _ -> (nx: Double, ny: Double, d: Double, stepH: Double, stepV: Double) in
            let a = rng.uniform() * Double.pi
            return (cos(a), sin(a), rng.uniform(-0.5, 0.5) * min(halfW, halfH),
                    rng.uniform(-1, 1) * (8 + r.strainMicroradians), rng.uniform(-1, 1) * (8 + r.strainMicroradians))
        }
        let bowCurvatureH = r.bowMicroradiansPerMillimeter * (0.7 + 0.6 * rng.uniform())
        let bowCurvatureV = r.bowMicroradiansPerMillimeter * (0.7 + 0.6 * rng.uniform())
        let offsetH = rng.uniform(-30, 30), offsetV = rng.uniform(-30, 30)

        var h = [Float](repeating: 0, count: grid.count), v = [Float](repeating: 0, count: grid.count)
        var mask = [SurfaceKind](repeating: .nothing, count: grid.count)
        for row in 0..<rows {
            let y = grid.y(row: row)
            for column in 0..<columns {
                let x = grid.x(column: column)
                let i = grid.index(column: column, row: row)
                let onTab = x >= tabX && y <= tabY && x <= halfW + tab * 0.4 && y >= -halfH - tab * 0.4
                var onPlate = abs(x) <= halfW && abs(y) <= halfH && abs(x) + abs(y) <= halfW + halfH - bevel
                for c in chips where (x - c.x) * (x - c.x) + (y - c.y) * (y - c.y) < c.radius * c.radius { onPlate = false }
                if onTab { mask[i] = .mount; continue }
                guard onPlate else { continue }
                mask[i] = .crystal
                // Bow: the gradient of a paraboloid; tilt about x follows y, tilt about y follows x.
                var th = offsetH + bowCurvatureH * y, tv = offsetV - bowCurvatureV * x
                for m in modes {
                    let s = cos(m.kx * x + m.ky * y + m.phase) * m.amp
                    // Tilts are the gradient of one height field, so they are consistent.
                    th += m.ky * s
                    tv -= m.kx * s
                }
                for c in clusters {
                    let dx = x - c.x, dy = y - c.y, s2 = c.sigma * c.sigma
                    let g = c.amp * exp(-(dx * dx + dy * dy) / (2 * s2))
                    th += g * dy / c.sigma
                    tv -= g * dx / c.sigma
                }
                for b in boundaries where b.nx * x + b.ny * y > b.d {
                    th += b.stepH
                    tv += b.stepV
                }
                // Glue strain: grows towards the tab.
                let dGlue = ((x - tabX) * (x - tabX) + (y - tabY) * (y - tabY)).squareRoot()
                let glue = (15 + 2 * r.strainMicroradians) * exp(-dGlue / 0.7)
                th += glue * 0.8
                tv -= glue * 0.6
                h[i] = Float(th)
                v[i] = Float(tv)
            }
        }
        let front = RadiatorView(side: .front, grid: grid, thetaHMicroradians: h, thetaVMicroradians: v, mask: mask)
        let notes = "synthetic \(r.quality) radiator (seed \(r.seed)): bow \(r.bowMicroradiansPerMillimeter) µrad/mm, "
            + "\(r.dislocationClusters) dislocation clusters, \(r.sectorBoundaries) growth-sector boundaries, tab lower right"
        return Radiator(name: r.name, thicknessMicrons: r.thicknessMicrons, notes: notes, views: [front, front.mirrored()])
    }
}

/// Deterministic random numbers (SplitMix64): the same radiators on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }
}
