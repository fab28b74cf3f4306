#if canImport(Glibc)
import Glibc
#endif

/// Random numbers addressed by (seed, stream, index) rather than drawn in sequence: pixel p of
/// image k gets the same noise whichever thread draws it and in whatever order, so a simulated
/// scan is the same bytes on every run and machine.
struct CounterRandom {
    private var state: UInt64

    init(seed: UInt64, stream: UInt64, index: UInt64) {
        state = CounterRandom.mix(seed ^ CounterRandom.mix(stream &+ 0x632B_E59B_D9B4_E019) ^ CounterRandom.mix(index &* 0x9E37_79B9_7F4A_7C15 &+ 1))
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        return (Double(CounterRandom.mix(state) >> 11) + 0.5) / Double(1 << 53)
    }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = uniform(), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// Poisson with mean λ: exact (Knuth) below 30, normal with a continuity offset above.
    mutating func poisson(_ lambda: Double) -> Double {
        guard lambda > 0 else { return 0 }
        if lambda < 30 {
            let limit = exp(-lambda)
            var product = uniform(), count = 0.0
            while product > limit {
                product *= uniform()
                count += 1
            }
            return count
        }
        return max(0, (lambda + lambda.squareRoot() * normal() + 0.5).rounded(.down))
    }
}
