import Foundation
import Wire

/// Well-formed but hostile plot requests, for fuzzing the renderer (tests and `scripts/bench render`):
/// non-finite, huge, tiny and boundary values; counts and sizes at, below and beyond the limits;
/// long, empty and odd strings. Deterministic for a given generator.
public struct HostilePlotRequests<Generator: RandomNumberGenerator> {
    public var rng: Generator
    /// Largest image side drawn (the fuzz test keeps images small; the bench goes to the limit).
    public var maxSide: UInt32

    public init(rng: Generator, maxSide: UInt32 = 2000) {
        self.rng = rng
        self.maxSide = maxSide
    }

    public enum Request { case spectrum(SpectrumPlotRequest), map(MapPlotRequest) }

    /// How often a value, count or string is hostile, chosen per request: some requests are clean
    /// (they reach the drawing), some have one odd value among thousands, some are hostile throughout.
    var hostility = 0.4

    public mutating func next() -> Request {
        hostility = pick([0, 0, 0.0005, 0.01, 0.4])
        return Bool.random(using: &rng) ? .spectrum(spectrum()) : .map(map())
    }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    /// Whether to take the hostile branch: `p` (its weight in a hostile request) scaled by the request's hostility.
    mutating func odd(_ p: Double = 1) -> Bool { chance(min(1, p * hostility / 0.4)) }
    mutating func pick<T>(_ options: [T]) -> T { options[Int.random(in: 0..<options.count, using: &rng)] }

    /// Mostly ordinary values, often a hostile one.
    public mutating func double(scale: Double = 10) -> Double {
        if !odd() { return Double.random(in: -scale...scale, using: &rng) }
        if chance(0.5) {
            return pick([.nan, .infinity, -.infinity, 1e308, -1e308, .greatestFiniteMagnitude, 5e-324, -0.0, 0, 1e-300, 1e300, 9.3e18, -9.3e18, 1e30, 1e31])
        }
        return (Bool.random(using: &rng) ? 1 : -1) * pow(10, Double.random(in: -320...308, using: &rng))
    }

    mutating func count(_ typical: Int, limit: Int) -> Int {
        if !odd(0.25) { return Int.random(in: 0...typical, using: &rng) }
        return pick([0, 1, 2, limit, limit + 1, Int.random(in: 0...(2 * limit), using: &rng)])
    }

    mutating func side() -> UInt32 {
        if !odd(0.2) { return UInt32.random(in: 200...max(200, maxSide), using: &rng) }
        return pick([0, 1, 199, 200, 2000, 2001, UInt32.max])
    }

    mutating func string() -> String {
        switch odd() ? Int.random(in: 0..<8, using: &rng) : 7 {
        case 0: return ""
        case 1: return String(repeating: "θ", count: pick([299, 300, 301, 5000]))
        case 2: return "a\u{0}b"
        case 3: return String(String.UnicodeScalarView((0..<Int.random(in: 1...40, using: &rng)).compactMap { _ in
            Unicode.Scalar(UInt32.random(in: 1...0x10FFFF, using: &rng)) }))
        case 4: return "%@ %n %s \\ \" ⁻¹²"
        default: return "ordinary label σ = 1.0 mm"
        }
    }

    mutating func titles() -> [String] { (0..<count(3, limit: 6)).map { _ in string() } }

    public mutating func spectrum() -> SpectrumPlotRequest {
        var p = SpectrumPlotRequest()
        p.title = titles()
        p.xTitle = string()
        p.yTitle = string()
        p.widthPx = side()
        p.heightPx = chance(0.5) ? 0 : side()
        for _ in 0..<count(4, limit: 16) {
            let n = count(chance(0.1) ? 4000 : 300, limit: 20_000)
            let m = odd(0.1) ? count(300, limit: 20_000) : n
            let start = double(), step = !odd(0.3) ? abs(double(scale: 0.1)) : double()
            let x = (0..<n).map { i in odd(0.05) ? double() : start + Double(i) * step }
            let scale = pick([1.0, 1e9, 1e-9, 1e30])
            p.curves.append(CurveMessage(label: string(), x: x, y: (0..<m).map { _ in double(scale: scale) },
                                         colorRgb: UInt32.random(in: 0...UInt32.max, using: &rng), dashed: Bool.random(using: &rng)))
        }
        p.windowMin = double()
        p.windowMax = double()
        p.transparent = Bool.random(using: &rng)
        p.yIncludesZero = Bool.random(using: &rng)
        return p
    }

    public mutating func map() -> MapPlotRequest {
        var m = MapPlotRequest()
        m.title = titles()
        m.xTitle = string(); m.yTitle = string(); m.zTitle = string()
        if !odd(0.05) {
            let columns: UInt32 = !odd(0.15) ? UInt32.random(in: 1...120, using: &rng) : pick([0, 1, 4000, 4001, UInt32.max])
            let rows: UInt32 = !odd(0.15) ? UInt32.random(in: 1...120, using: &rng) : pick([0, 1, 4000, 4001, UInt32.max])
            m.grid = MapGridMessage(x0: double(), y0: double(), dx: !odd(0.3) ? abs(double(scale: 1)) : double(),
                                    dy: !odd(0.3) ? abs(double(scale: 1)) : double(), columns: columns, rows: rows)
        }
        // Arrays usually match the grid (to reach the drawing), sometimes not; never more than a few MB.
        let cells = m.grid.map { Int($0.columns).multipliedReportingOverflow(by: Int($0.rows)) } ?? (partialValue: 0, overflow: false)
        let n = !cells.overflow && cells.partialValue <= 20_000 && !odd(0.1) ? cells.partialValue : count(100, limit: 20_000)
        m.values = (0..<n).map { _ in double(scale: pick([1.0, 100, 1e12])) }
        if chance(0.6) { m.mask = Data((0..<(!odd(0.1) ? n : count(100, limit: 1000))).map { _ in UInt8(!odd(0.05) ? Int.random(in: 0...2, using: &rng) : Int.random(in: 0...255, using: &rng)) }) }
        if chance(0.3) { m.intensity = (0..<(!odd(0.1) ? n : count(100, limit: 1000))).map { _ in !odd(0.1) ? Float.random(in: 0...1, using: &rng) : Float(double()) } }
        m.widthPx = side()
        m.heightPx = chance(0.5) ? 0 : side()
        m.palette = odd(0.5) ? pick(["jet", string()]) : pick(["", "viridis", "bird", "diverging"])
        if chance(0.4) { m.zMin = double() }
        if chance(0.4) { m.zMax = odd(0.5) ? double() : (m.zMin ?? -10) + 1 + abs(double()) }
        for _ in 0..<count(3, limit: 16) {
            m.ellipses.append(EllipseMessage(cx: double(), cy: double(), sx: !odd(0.3) ? abs(double(scale: 5)) : double(),
                                             sy: !odd(0.3) ? abs(double(scale: 5)) : double(),
                                             rho: !odd(0.3) ? Double.random(in: -0.99...0.99, using: &rng) : double(scale: 1),
                                             sigmas: !odd(0.2) ? Double.random(in: 0.5...3, using: &rng) : double(), colorRgb: 0xE74C3C))
        }
        for _ in 0..<count(3, limit: 64) { m.markers.append(MarkerMessage(x: double(), y: double(), label: string())) }
        m.transparent = Bool.random(using: &rng)
        m.bare = chance(0.15)
        return m
    }
}
