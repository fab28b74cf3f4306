import Foundation

/// An sRGB colour with alpha, 0…1.
public struct RGBA: Sendable, Hashable {
    public var r: Double, g: Double, b: Double, a: Double
    public init(_ r: Double, _ g: Double, _ b: Double, _ a: Double = 1) { self.r = r; self.g = g; self.b = b; self.a = a }
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(Double(hex >> 16 & 0xFF) / 255, Double(hex >> 8 & 0xFF) / 255, Double(hex & 0xFF) / 255, alpha)
    }
    public func withAlpha(_ a: Double) -> RGBA { RGBA(r, g, b, a) }
    public static let black = RGBA(0, 0, 0), white = RGBA(1, 1, 1), clear = RGBA(0, 0, 0, 0)
}

/// A raster image, RGBA8, with the drawing operations plots need: filled
/// rectangles, anti-aliased lines and polylines, text, and "over" blending.
/// Pure Swift and deterministic: the same calls give the same bytes.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: RGBA = .white) {
        self.width = width
        self.height = height
        let px: [UInt8] = [Self.byte(background.r), Self.byte(background.g), Self.byte(background.b), Self.byte(background.a)]
        pixels = [UInt8](unsafeUninitializedCapacity: width * height * 4) { buffer, count in
            for i in 0..<(width * height) {
                buffer[4 * i] = px[0]; buffer[4 * i + 1] = px[1]; buffer[4 * i + 2] = px[2]; buffer[4 * i + 3] = px[3]
            }
            count = width * height * 4
        }
    }

    static func byte(_ v: Double) -> UInt8 { UInt8(max(0, min(255, (v * 255).rounded()))) }

    /// Blend `c` over pixel (x, y) with extra coverage `coverage` (0…1).
    @inline(__always)
    public mutating func blend(x: Int, y: Int, _ c: RGBA, coverage: Double = 1) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let a = c.a * coverage
        guard a > 0 else { return }
        let i = (y * width + x) * 4
        let da = Double(pixels[i + 3]) / 255
        let outA = a + da * (1 - a)
        guard outA > 0 else { return }
        func mix(_ src: Double, _ dst: UInt8) -> UInt8 {
            Self.byte((src * a + Double(dst) / 255 * da * (1 - a)) / outA)
        }
        pixels[i] = mix(c.r, pixels[i])
        pixels[i + 1] = mix(c.g, pixels[i + 1])
        pixels[i + 2] = mix(c.b, pixels[i + 2])
        pixels[i + 3] = Self.byte(outA)
    }

    public func pixel(x: Int, y: Int) -> RGBA {
        let i = (y * width + x) * 4
        return RGBA(Double(pixels[i]) / 255, Double(pixels[i + 1]) / 255, Double(pixels[i + 2]) / 255, Double(pixels[i + 3]) / 255)
    }

    /// Fill the rectangle [x0, x1) × [y0, y1) (pixel units, fractional edges anti-aliased).
    public mutating func fill(x0: Double, y0: Double, x1: Double, y1: Double, _ c: RGBA) {
        let lx = min(x0, x1), hx = max(x0, x1), ly = min(y0, y1), hy = max(y0, y1)
        for y in max(0, Int(ly.rounded(.down)))..<min(height, Int(hy.rounded(.up))) {
            let cy = min(hy, Double(y + 1)) - max(ly, Double(y))
            for x in max(0, Int(lx.rounded(.down)))..<min(width, Int(hx.rounded(.up))) {
                let cx = min(hx, Double(x + 1)) - max(lx, Double(x))
                blend(x: x, y: y, c, coverage: max(0, cx) * max(0, cy))
            }
        }
    }

    /// An anti-aliased line of the given width (pixels), by coverage of a capsule.
    public mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, width w: Double, _ c: RGBA) {
        let half = w / 2
        let minX = Int((min(x0, x1) - half - 1).rounded(.down)), maxX = Int((max(x0, x1) + half + 1).rounded(.up))
        let minY = Int((min(y0, y1) - half - 1).rounded(.down)), maxY = Int((max(y0, y1) + half + 1).rounded(.up))
        let dx = x1 - x0, dy = y1 - y0
        let len2 = dx * dx + dy * dy
        for y in max(0, minY)...min(height - 1, max(0, maxY)) {
            for x in max(0, minX)...min(width - 1, max(0, maxX)) {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                var t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0
                t = min(1, max(0, t))
                let ex = px - (x0 + t * dx), ey = py - (y0 + t * dy)
                let d = (ex * ex + ey * ey).squareRoot()
                let coverage = min(1, max(0, half + 0.5 - d))
                if coverage > 0 { blend(x: x, y: y, c, coverage: coverage) }
            }
        }
    }

    public mutating func polyline(_ points: [(Double, Double)], width w: Double, _ c: RGBA) {
        // Draw into a coverage mask first so joints are not blended twice.
        guard points.count >= 2 else { return }
        var mask = [Double](repeating: 0, count: width * height)
        let half = w / 2
        for k in 0..<(points.count - 1) {
            let (x0, y0) = points[k], (x1, y1) = points[k + 1]
            let minX = max(0, Int((min(x0, x1) - half - 1).rounded(.down))), maxX = min(width - 1, Int((max(x0, x1) + half + 1).rounded(.up)))
            let minY = max(0, Int((min(y0, y1) - half - 1).rounded(.down))), maxY = min(height - 1, Int((max(y0, y1) + half + 1).rounded(.up)))
            guard minX <= maxX, minY <= maxY else { continue }
            let dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy
            for y in minY...maxY {
                for x in minX...maxX {
                    let px = Double(x) + 0.5, py = Double(y) + 0.5
                    let t = len2 > 0 ? min(1, max(0, ((px - x0) * dx + (py - y0) * dy) / len2)) : 0
                    let ex = px - (x0 + t * dx), ey = py - (y0 + t * dy)
                    let coverage = min(1, max(0, half + 0.5 - (ex * ex + ey * ey).squareRoot()))
                    let i = y * width + x
                    if coverage > mask[i] { mask[i] = coverage }
                }
            }
        }
        for i in mask.indices where mask[i] > 0 { blend(x: i % width, y: i / width, c, coverage: mask[i]) }
    }

    // MARK: Text

    public enum Anchor: Sendable { case left, centre, right }

    /// Width of `text` in pixels at `size`.
    public static func textWidth(_ text: String, size: Double) -> Double {
        let face = EmbeddedFont.face(pixelSize: size)
        return text.unicodeScalars.reduce(0) { $0 + (face.glyph($1)?.advance ?? 0) }
    }

    /// Draw `text` with its baseline at y; `vertical` rotates it 90° counter-clockwise (for y-axis titles),
    /// in which case (x, y) is the baseline point and the anchor runs along the rotated direction.
    public mutating func text(_ text: String, x: Double, y: Double, size: Double, color: RGBA = .black,
                              anchor: Anchor = .left, vertical: Bool = false) {
        let face = EmbeddedFont.face(pixelSize: size)
        let width = Self.textWidth(text, size: size)
        var pen = switch anchor { case .left: 0.0; case .centre: -width / 2; case .right: -width }
        for s in text.unicodeScalars {
            guard let g = face.glyph(s) else { continue }
            let ox = Int((pen).rounded()) + g.left
            for gy in 0..<g.height {
                for gx in 0..<g.width {
                    let alpha = Double(face.atlas[g.offset + gy * g.width + gx]) / 255
                    guard alpha > 0 else { continue }
                    let u = ox + gx, v = gy - g.top  // along, and down from the baseline
                    if vertical {
                        blend(x: Int(x.rounded()) + v, y: Int(y.rounded()) - u, color, coverage: alpha)
                    } else {
                        blend(x: Int(x.rounded()) + u, y: Int(y.rounded()) + v, color, coverage: alpha)
                    }
                }
            }
            pen += g.advance
        }
    }
}
