import Foundation

/// Special functions the model needs that the C library lacks.
enum SpecialFunctions {
    /// Exponential integral E₁(z) for z > 0: power series below 1, Lentz continued fraction above.
    static func expint1(_ z: Double) -> Double {
        precondition(z > 0, "E1 is evaluated for positive arguments only")
        if z > 700 { return 0 }
        let eulerGamma = 0.57721566490153286061
        if z <= 1 {
            var sum = 0.0, term = 1.0
            var k = 1.0
            while true {
                term *= -z / k
                let contribution = term / k
                sum += contribution
                if abs(contribution) < 1e-17 * abs(sum) { break }
                k += 1
            }
            return -eulerGamma - log(z) - sum
        }
        // Modified Lentz evaluation of the continued fraction (Numerical Recipes §6.3).
        var b = z + 1, c = 1.0 / 1e-300, d = 1 / b, h = d
        for i in 1...200 {
            let an = -Double(i * i)
            b += 2
            d = 1 / (an * d + b)
            c = b + an / c
            let delta = c * d
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h * exp(-z)
    }
}
