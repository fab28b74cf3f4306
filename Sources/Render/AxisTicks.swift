import Foundation

/// "Nice" axis ticks: steps of 1, 2 or 5 × 10ⁿ, about `target` of them, with minor ticks between.
public struct AxisTicks: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    public let step: Double
    public let major: [Double]
    public let minor: [Double]

    public init(lower: Double, upper: Double, target: Int = 6) {
        var lo = lower, hi = upper
        if !(hi > lo) { lo -= 0.5 * max(1, abs(lo)); hi = lo + max(1, abs(lo)) }
        self.lower = lo
        self.upper = hi
        let raw = (hi - lo) / Double(max(2, target))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let residual = raw / magnitude
        let nice: Double = residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10
        let st = nice * magnitude
        let majors = stride(from: (lo / st).rounded(.up), through: (hi / st).rounded(.down), by: 1).map { $0 * st }
        let minorStep = st / (nice == 2 ? 4 : 5)
        step = st
        major = majors
        minor = stride(from: (lo / minorStep).rounded(.up), through: (hi / minorStep).rounded(.down), by: 1)
            .map { $0 * minorStep }.filter { m in !majors.contains { abs($0 - m) < minorStep * 1e-6 } }
    }

    /// Tick label with just enough decimals for the step; scientific outside 1e-3…1e5.
    public func label(_ v: Double) -> String {
        if v == 0 { return "0" }
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
