import Foundation

/// Contour lines of a map (lines of equal value, e.g. equal elevation on a topograph) by marching
/// squares over the cells: corners are cell centres, a square with a cell without data is skipped, so
/// lines stop at holes and edges instead of running through invented values.
public enum MapContours {
    /// The most levels one map draws: more would be a black smear, and it bounds the drawing time.
    public static let maxLevels = 100
    /// Squares × levels the drawing visits at most: a larger grid is sampled every n-th cell, so a
    /// 16-million-cell grid costs what a small one does (the lines are a guide, not the data).
    public static let maxWork = 4_000_000

    /// The multiples of `interval` within `range`, or nil when there are more than `maxLevels` (or the
    /// interval is not a positive finite number): the caller refuses such a request rather than clamp it.
    public static func levels(interval: Double, range: ClosedRange<Double>) -> [Double]? {
        guard interval.isFinite, interval > 0, range.lowerBound.isFinite, range.upperBound.isFinite else { return nil }
        let span = (range.upperBound - range.lowerBound) / interval
        guard span.isFinite, span <= Double(maxLevels) else { return nil }
        let first = (range.lowerBound / interval).rounded(.up), last = (range.upperBound / interval).rounded(.down)
        guard first.isFinite, last.isFinite, last - first < Double(maxLevels) else { return nil }
        guard last >= first else { return [] }
        return (0...Int(last - first)).map { (first + Double($0)) * interval }
    }

    /// The sampling step along each axis that keeps squares × levels within `maxWork`.
    public static func step(columns: Int, rows: Int, levels: Int) -> Int {
        var s = 1
        while Double((columns - 1) / s + 1) * Double((rows - 1) / s + 1) * Double(max(1, levels)) > Double(maxWork) { s += 1 }
        return s
    }

    /// Calls `segment` with the ends of each contour piece, in grid index coordinates (column, row;
    /// fractional along a square's edge). `value(i, j)` is nil for a cell without data. Levels sorted.
    public static func trace(columns: Int, rows: Int, step s: Int, levels: [Double], value: (Int, Int) -> Double?,
                             segment: (Double, Double, Double, Double) -> Void) {
        guard !levels.isEmpty, columns >= 2, rows >= 2, s >= 1 else { return }
        for j in stride(from: 0, to: rows - s, by: s) {
            for i in stride(from: 0, to: columns - s, by: s) {
                guard let a = value(i, j), let b = value(i + s, j), let c = value(i + s, j + s), let d = value(i, j + s) else { continue }
                let lo = min(a, b, c, d), hi = max(a, b, c, d)
                guard hi > lo else { continue }
                // Only the levels this square spans: the cost is squares plus segments, not squares × levels.
                var k = lowerIndex(levels, lo)
                while k < levels.count, levels[k] <= hi {
                    square(Double(i), Double(j), Double(s), a, b, c, d, levels[k], segment)
                    k += 1
                }
            }
        }
    }

    /// The first index whose level is ≥ v (binary search).
    static func lowerIndex(_ levels: [Double], _ v: Double) -> Int {
        var lo = 0, hi = levels.count
        while lo < hi { let m = (lo + hi) / 2; if levels[m] < v { lo = m + 1 } else { hi = m } }
        return lo
    }

    /// One square: corners a (i, j), b (i+s, j), c (i+s, j+s), d (i, j+s); a corner at or above the
    /// level is "in". Saddles are resolved by the centre's mean value.
    static func square(_ i: Double, _ j: Double, _ s: Double, _ a: Double, _ b: Double, _ c: Double, _ d: Double, _ level: Double,
                       _ segment: (Double, Double, Double, Double) -> Void) {
        let code = (a >= level ? 1 : 0) | (b >= level ? 2 : 0) | (c >= level ? 4 : 0) | (d >= level ? 8 : 0)
        if code == 0 || code == 15 { return }
        func t(_ u: Double, _ v: Double) -> Double { let f = (level - u) / (v - u); return f.isFinite ? min(1, max(0, f)) : 0.5 }
        // Crossing points on the four edges: bottom (a–b), right (b–c), top (d–c), left (a–d).
        let bottom = (i + s * t(a, b), j), right = (i + s, j + s * t(b, c))
        let top = (i + s * t(d, c), j + s), left = (i, j + s * t(a, d))
        func emit(_ p: (Double, Double), _ q: (Double, Double)) { segment(p.0, p.1, q.0, q.1) }
        switch code {
        case 1, 14: emit(left, bottom)
        case 2, 13: emit(bottom, right)
        case 3, 12: emit(left, right)
        case 4, 11: emit(right, top)
        case 6, 9: emit(bottom, top)
        case 7, 8: emit(left, top)
        case 5, 10:
            // Saddle: a and c on one side, b and d on the other; the centre decides which pairs join.
            let centreIn = (a + b + c + d) / 4 >= level
            if (code == 5) == centreIn { emit(left, top); emit(bottom, right) } else { emit(left, bottom); emit(right, top) }
        default: break
        }
    }
}

extension MapContours {
    /// A round interval (1, 2 or 5 × 10ⁿ) giving at most about `target` levels over `range`, for a
    /// map whose contours a reader counts (elevation every 50 nm); nil for an empty or non-finite range.
    public static func niceInterval(range: ClosedRange<Double>, target: Int = 10) -> Double? {
        let raw = (range.upperBound - range.lowerBound) / Double(max(1, target))
        guard raw.isFinite, raw > 0 else { return nil }
        let e = log10(raw).rounded(.down)
        for m in [1.0, 2, 5, 10] {
            // Divide by 10^|n| for small intervals so 0.2 is 2/10, not 2 × 0.1000…01.
            let v = e < 0 ? m / pow(10, -e) : m * pow(10, e)
            if v >= raw * (1 - 1e-12) { return v.isFinite && v > 0 ? v : nil }
        }
        return nil
    }

    /// The interval as a reader writes it: "50", "0.2", "2e+06" for extreme ones.
    public static func label(_ interval: Double) -> String {
        if interval >= 1, interval < 1e6, interval == interval.rounded() { return String(Int(interval)) }
        return "\(interval)"
    }
}
