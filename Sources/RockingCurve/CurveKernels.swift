/// The two full passes over every pixel's curve, written so the compiler vectorises them: every
/// reduction is on integers (Float min/max reductions do not vectorise because of their NaN rules),
/// using the IEEE bit pattern mapped to an order-preserving Int32. Elementwise arithmetic is the
/// same IEEE operation whatever the vector width, so results are identical to a scalar loop.
enum CurveKernels {
    /// An Int32 that orders like the Float (for non-NaN values): positive floats keep their bits,
    /// negative ones have the magnitude bits flipped.
    @inline(__always)
    static func orderedBits(_ x: Float) -> Int32 {
        let b = Int32(bitPattern: x.bitPattern)
        return b ^ ((b >> 31) & 0x7FFF_FFFF)
    }

    @inline(__always)
    static func float(orderedBits o: Int32) -> Float {
        Float(bitPattern: UInt32(bitPattern: o ^ ((o >> 31) & 0x7FFF_FFFF)))
    }

    /// y[k] = (raw[k] − dark)·scale[k]. Returns whether all raw values are equal (a dead pixel),
    /// whether any reaches `saturation`, whether any is NaN or infinite, and the largest y.
    @inline(__always)
    static func normalise(_ raw: UnsafePointer<Float>, dark: Float, scale: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                          count n: Int, saturation: Float) -> (constant: Bool, saturated: Bool, nonFinite: Bool, largest: Float) {
        let first = raw[0].bitPattern
        var differ: UInt32 = 0, saturated: Int32 = 0, badExponent: UInt32 = 0, largest = Int32.min
        for k in 0..<n {
            let x = raw[k], bits = x.bitPattern
            differ |= bits ^ first
            saturated |= x >= saturation ? 1 : 0
            // An all-ones exponent is NaN or ±∞.
            badExponent |= (bits & 0x7F80_0000) == 0x7F80_0000 ? 1 : 0
            let v = (x - dark) * scale[k]
            largest = Swift.max(largest, orderedBits(v))
            y[k] = v
        }
        return (differ == 0, saturated != 0, badExponent != 0, float(orderedBits: largest))
    }

    /// y[k] −= base + slope·abscissa[k], in place; returns the largest result.
    @inline(__always)
    static func subtractLine(_ y: UnsafeMutablePointer<Float>, base: Float, slope: Float, abscissa: UnsafePointer<Float>, count n: Int) -> Float {
        var largest = Int32.min
        for k in 0..<n {
            let z = y[k] - (base + slope * abscissa[k])
            y[k] = z
            largest = Swift.max(largest, orderedBits(z))
        }
        return float(orderedBits: largest)
    }

    /// The first k with y[k] == value (the value is one of y's elements).
    @inline(__always)
    static func firstIndex(of value: Float, in y: UnsafePointer<Float>, count n: Int) -> Int {
        var k = 0
        while k < n - 1, y[k] != value { k += 1 }
        return k
    }
}
