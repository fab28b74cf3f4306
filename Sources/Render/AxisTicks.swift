import Foundation

/// "Nice" axis ticks: steps of 1, 2 or 5 × 10ⁿ, about `target` of them, with minor ticks between.
public struct AxisTicks: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    public let step: Double
    public let major: [Double]
    public let minor: [Double]

    /// Largest magnitude an axis shows: keeps every span and tick finite.
    public static let limit = 1e300
    /// At most this many major ticks (and five times as many minor), whatever the input.
    static let maxTicks = 50

    public init(lower: Double, upper: Double, target: Int = 6) {
        // Any input gives a finite, non-empty range: non-finite ends fall back, huge ones are capped,
        // and a span too narrow for its magnitude (or for Double) is widened.
        var lo = lower.isFinite ? min(max(lower, -Self.limit), Self.limit) : 0
        var hi = upper.isFinite ? min(max(upper, -Self.limit), Self.limit) : lo + 1
        if !(hi > lo) { lo -= 0.5 * max(1, abs(lo)); hi = lo + max(1, abs(lo)) }
        let minimumSpan = max(1e-200, 1e-9 * max(abs(lo), abs(hi)))
        if hi - lo < minimumSpan { let mid = lo / 2 + hi / 2; lo = mid - minimumSpan / 2; hi = mid + minimumSpan / 2 }
        self.lower = lo
        self.upper = hi
        let raw = (hi - lo) / Double(min(Self.maxTicks, max(2, target)))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let residual = raw / magnitude
        let nice: Double = residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10
        let st = nice * magnitude
        step = st
        let majors = Self.multiples(of: st, from: lo, to: hi, limit: Self.maxTicks)
        major = majors
        let minorStep = st / (nice == 2 ? 4 : 5)
        minor = Self.multiples(of: minorStep, from: lo, to: hi, limit: 5 * Self.maxTicks)
            .filter { m in !majors.contains { abs($0 - m) < minorStep * 1e-6 } }
    }

    /// k·step for every integer k with lo ≤ k·step ≤ hi, counted by integers (a float stride can stall), at most `limit`.
    static func multiples(of step: Double, from lo: Double, to hi: Double, limit: Int) -> [Double] {
        guard step.isFinite, step > 0 else { return [] }
        let first = (lo / step).rounded(.up), last = (hi / step).rounded(.down)
        guard first.isFinite, last.isFinite, last >= first, last - first < Double(limit) else { return [] }
        return (0...Int(last - first)).map { (first + Double($0)) * step }
    }

    /// Tick label with just enough decimals for the step; scientific outside 1e-3…1e5.
    public func label(_ v: Double) -> String {
        if v == 0 || !v.isFinite { return v == 0 ? "0" : "\(v)" }
        let big = max(abs(lower), abs(upper))
        if big >= 1e5 || big < 1e-3 {
            let exponent = Int(log10(big).rounded(.down))
            let scaled = v / pow(10, Double(exponent))
            let decimals = max(0, Int((-log10(step / pow(10, Double(exponent)))).rounded(.up)))
            return String(format: "%.\(decimals)f×10%@", scaled, superscript(exponent))
        }
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return String(format: "%.\(decimals)f", v).replacingOccurrences(of: "-", with: "−")
    }

    func superscript(_ n: Int) -> String {
        let digits = Array("⁰¹²³⁴⁵⁶⁷⁸⁹")
        return (n < 0 ? "⁻" : "") + String(abs(n)).map { digits[Int(String($0))!] }
    }
}
