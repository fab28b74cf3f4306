import Foundation

/// A small radix-2 complex FFT (iterative, in place) and the 2D phase correlation the coarse
/// alignment search uses. Alignment only ever transforms small (≤ 128 × 128) padded images, so a
/// few dozen lines of Swift beat a system dependency: FFTW would save microseconds here.
enum FFT {
    /// In-place forward (sign −1) or inverse (sign +1, unscaled) transform; `re.count` a power of two.
    static func transform(_ re: inout [Double], _ im: inout [Double], inverse: Bool) {
        let n = re.count
        precondition(n > 0 && n & (n - 1) == 0, "FFT size \(n) is not a power of two")
        var j = 0
        for i in 1..<max(n, 1) {
            var bit = n >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
            if i < j { re.swapAt(i, j); im.swapAt(i, j) }
        }
        var length = 2
        let sign = inverse ? 1.0 : -1.0
        while length <= n {
            let angle = sign * 2 * Double.pi / Double(length)
            let wr = cos(angle), wi = sin(angle)
            var start = 0
            while start < n {
                var cr = 1.0, ci = 0.0
                for k in 0..<(length / 2) {
                    let a = start + k, b = a + length / 2
                    let tr = re[b] * cr - im[b] * ci, ti = re[b] * ci + im[b] * cr
                    re[b] = re[a] - tr; im[b] = im[a] - ti
                    re[a] += tr; im[a] += ti
                    let nr = cr * wr - ci * wi
                    ci = cr * wi + ci * wr; cr = nr
                }
                start += length
            }
            length <<= 1
        }
    }

    /// 2D transform of a `size` × `size` row-major array (rows, then columns).
    static func transform2D(_ re: inout [Double], _ im: inout [Double], size: Int, inverse: Bool) {
        var rr = [Double](repeating: 0, count: size), ri = [Double](repeating: 0, count: size)
        for y in 0..<size {
            for x in 0..<size { rr[x] = re[y * size + x]; ri[x] = im[y * size + x] }
            transform(&rr, &ri, inverse: inverse)
            for x in 0..<size { re[y * size + x] = rr[x]; im[y * size + x] = ri[x] }
        }
        for x in 0..<size {
            for y in 0..<size { rr[y] = re[y * size + x]; ri[y] = im[y * size + x] }
            transform(&rr, &ri, inverse: inverse)
            for y in 0..<size { re[y * size + x] = rr[y]; im[y * size + x] = ri[y] }
        }
    }

    /// The shift d (pixels) with `moved(p) ≈ reference(p − d)`, by phase correlation of the two
    /// equal-size images (zero-padded to a power of two, so shifts up to a quarter of the padded side
    /// are unambiguous), refined by a parabola through the peak; `peak` is the correlation peak's
    /// height (1 for identical shifted images, near 0 for unrelated ones).
    static func phaseCorrelation(reference: FloatImage, moved: FloatImage) -> (dx: Double, dy: Double, peak: Double) {
        precondition(reference.width == moved.width && reference.height == moved.height)
        var size = 1
        while size < 2 * max(reference.width, reference.height) { size <<= 1 }
        func padded(_ image: FloatImage) -> [Double] {
            let mean = image.pixels.reduce(0.0) { $0 + Double($1) } / Double(max(image.count, 1))
            var out = [Double](repeating: 0, count: size * size)
            for y in 0..<image.height { for x in 0..<image.width { out[y * size + x] = Double(image[x, y]) - mean } }
            return out
        }
        var ar = padded(reference), ai = [Double](repeating: 0, count: size * size)
        var br = padded(moved), bi = [Double](repeating: 0, count: size * size)
        transform2D(&ar, &ai, size: size, inverse: false)
        transform2D(&br, &bi, size: size, inverse: false)
        // Cross-power spectrum B·conj(A) / |B·conj(A)|: its inverse peaks at the shift of `moved`.
        var energy = 0.0
        for i in 0..<(size * size) { energy = max(energy, ar[i] * ar[i] + ai[i] * ai[i]) }
        let floor = max(energy, 1e-30) * 1e-8
        for i in 0..<(size * size) {
            let r = br[i] * ar[i] + bi[i] * ai[i], im = bi[i] * ar[i] - br[i] * ai[i]
            let m = (r * r + im * im).squareRoot() + floor
            ar[i] = r / m; ai[i] = im / m
        }
        transform2D(&ar, &ai, size: size, inverse: true)
        let scale = 1 / Double(size * size)
        var best = 0, bestValue = -Double.infinity
        for i in 0..<(size * size) where ar[i] > bestValue { bestValue = ar[i]; best = i }
        let px = best % size, py = best / size
        func value(_ x: Int, _ y: Int) -> Double { ar[((y + size) % size) * size + (x + size) % size] }
        func vertex(_ minus: Double, _ centre: Double, _ plus: Double) -> Double {
            let d = minus - 2 * centre + plus
            return d < 0 ? max(-0.5, min(0.5, 0.5 * (minus - plus) / d)) : 0
        }
        let fx = vertex(value(px - 1, py), bestValue, value(px + 1, py))
        let fy = vertex(value(px, py - 1), bestValue, value(px, py + 1))
        let sx = px > size / 2 ? px - size : px, sy = py > size / 2 ? py - size : py
        return (Double(sx) + fx, Double(sy) + fy, bestValue * scale)
    }
}
