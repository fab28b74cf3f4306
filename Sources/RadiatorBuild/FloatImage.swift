import Foundation

/// A single-channel image of `Float`s, row-major. Pixel centres sit at integer coordinates:
/// pixel (x, y) covers [x − ½, x + ½] × [y − ½, y + ½]. Whether row 0 is the top (camera maps)
/// or the bottom (topograph grids) is the owner's business; the maths here does not care.
public struct FloatImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(pixels.count == width * height, "FloatImage: \(pixels.count) pixels for \(width) × \(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, repeating value: Float = 0) {
        self.init(width: width, height: height, pixels: [Float](repeating: value, count: width * height))
    }

    public var count: Int { width * height }

    @inline(__always) public subscript(x: Int, y: Int) -> Float {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// Bilinear value at (x, y); `outside` beyond the outermost pixel centres by more than half a pixel,
    /// the edge pixel's value within that half pixel.
    @inline(__always) public func bilinear(_ x: Double, _ y: Double, outside: Float = 0) -> Float {
        guard x > -0.5, y > -0.5, x < Double(width) - 0.5, y < Double(height) - 0.5 else { return outside }
        let cx = min(max(x, 0), Double(width - 1)), cy = min(max(y, 0), Double(height - 1))
        let x0 = min(Int(cx), max(width - 2, 0)), y0 = min(Int(cy), max(height - 2, 0))
        let tx = Float(cx - Double(x0)), ty = Float(cy - Double(y0))
        let x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
        let a = pixels[y0 * width + x0], b = pixels[y0 * width + x1]
        let c = pixels[y1 * width + x0], d = pixels[y1 * width + x1]
        return (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty
    }

    /// Half the size (rounded up), each pixel the mean of the 2 × 2 block it covers (edges replicated):
    /// one level of an image pyramid. Level-k pixel centre x_k sits at full-size 2x_k + ½.
    public func halved() -> FloatImage {
        let w = (width + 1) / 2, h = (height + 1) / 2
        var out = FloatImage(width: w, height: h)
        for y in 0..<h {
            let y0 = 2 * y, y1 = min(2 * y + 1, height - 1)
            for x in 0..<w {
                let x0 = 2 * x, x1 = min(2 * x + 1, width - 1)
                out.pixels[y * w + x] = (pixels[y0 * width + x0] + pixels[y0 * width + x1] + pixels[y1 * width + x0] + pixels[y1 * width + x1]) / 4
            }
        }
        return out
    }

    /// Separable Gaussian blur (σ in pixels), normalised near the edges (edges neither darken nor brighten).
    public func blurred(sigma: Double) -> FloatImage {
        guard sigma > 0 else { return self }
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        let kernel = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        var tmp = FloatImage(width: width, height: height)
        for y in 0..<height {
            let row = y * width
            for x in 0..<width {
                var s: Float = 0, w: Float = 0
                for k in max(-radius, -x)...min(radius, width - 1 - x) {
                    let kw = kernel[k + radius]
                    s += kw * pixels[row + x + k]; w += kw
                }
                tmp.pixels[row + x] = s / w
            }
        }
        var out = FloatImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                var s: Float = 0, w: Float = 0
                for k in max(-radius, -y)...min(radius, height - 1 - y) {
                    let kw = kernel[k + radius]
                    s += kw * tmp.pixels[(y + k) * width + x]; w += kw
                }
                out.pixels[y * width + x] = s / w
            }
        }
        return out
    }

    /// Central-difference derivatives along x and y (one-sided at the edges), per pixel.
    public func gradients() -> (dx: FloatImage, dy: FloatImage) {
        var gx = FloatImage(width: width, height: height), gy = FloatImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let xl = max(x - 1, 0), xr = min(x + 1, width - 1), yd = max(y - 1, 0), yu = min(y + 1, height - 1)
                gx.pixels[y * width + x] = xr > xl ? (pixels[y * width + xr] - pixels[y * width + xl]) / Float(xr - xl) : 0
                gy.pixels[y * width + x] = yu > yd ? (pixels[yu * width + x] - pixels[yd * width + x]) / Float(yu - yd) : 0
            }
        }
        return (gx, gy)
    }
}
